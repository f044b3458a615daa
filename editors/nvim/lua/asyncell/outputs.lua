-- Output blocks: what a run produced, drawn as virtual lines (one extmark) below the
-- last line of the cell that ran. A block collects the outputs of its execution and of
-- the background tasks that execution started; re-running the cell replaces it.
local config = require("asyncell.config")
local render = require("asyncell.render")

local M = {}

M.ns = vim.api.nvim_create_namespace("asyncell.outputs")

--- @class asyncell.Block
--- @field id integer
--- @field buf integer
--- @field mark integer extmark id in M.ns
--- @field exec_id string
--- @field status string queued|running|ok|error|cancelled|dead|failed
--- @field count integer? execution count
--- @field started_ms number?
--- @field duration_ms number?
--- @field items table[] {output = nbformat output, task = taskId?}
--- @field streamed boolean cell-scoped output arrived as notifications
--- @field finished boolean the execute request answered
--- @field removed boolean

local blocks = {} -- buf -> {block...}
local by_exec = {} -- executionId -> block (the run's own outputs)
local task_home = {} -- executionId -> block (background-task outputs: follows re-runs)
local next_id = 0

local function now_ms()
  return vim.uv.hrtime() / 1e6
end
M.now_ms = now_ms

local function mark_row(block)
  local ok, pos = pcall(vim.api.nvim_buf_get_extmark_by_id, block.buf, M.ns, block.mark, {})
  if ok and pos and pos[1] then
    return pos[1]
  end
end
M.row = mark_row

--- Blocks of a buffer, top to bottom.
function M.list(buf)
  local list = {}
  for _, block in ipairs(blocks[buf] or {}) do
    if not block.removed then
      list[#list + 1] = block
    end
  end
  table.sort(list, function(a, b)
    return (mark_row(a) or 0) < (mark_row(b) or 0)
  end)
  return list
end

--- Blocks whose anchor lies in rows [from, to].
function M.in_rows(buf, from, to)
  return vim.tbl_filter(function(block)
    local row = mark_row(block)
    return row ~= nil and row >= from and row <= to
  end, M.list(buf))
end

local function remove(block)
  block.removed = true
  require("asyncell.images").forget(block)
  pcall(vim.api.nvim_buf_del_extmark, block.buf, M.ns, block.mark)
  if by_exec[block.exec_id] == block then
    by_exec[block.exec_id] = nil
  end
  local list = blocks[block.buf] or {}
  for i, b in ipairs(list) do
    if b == block then
      table.remove(list, i)
      break
    end
  end
end

--- A new block for an execution, anchored below `anchor_row`. Blocks anchored in
--- [replace_from, replace_to] (the cell's rows) are replaced; background tasks they
--- started keep writing under the cell, into the new block.
function M.create(buf, exec_id, anchor_row, replace_from, replace_to, label)
  next_id = next_id + 1
  local block = {
    id = next_id,
    buf = buf,
    exec_id = exec_id,
    status = "queued",
    items = {},
    label = label,
  }
  for _, old in ipairs(M.in_rows(buf, replace_from, replace_to)) do
    for id, home in pairs(task_home) do
      if home == old then
        task_home[id] = block
      end
    end
    remove(old)
  end
  block.mark = vim.api.nvim_buf_set_extmark(buf, M.ns, anchor_row, 0, {})
  blocks[buf] = blocks[buf] or {}
  table.insert(blocks[buf], block)
  by_exec[exec_id] = block
  task_home[exec_id] = block
  M.render(block)
  return block
end

function M.for_exec(exec_id)
  return by_exec[exec_id]
end

--- The block where background tasks started by `exec_id` write (follows re-runs).
function M.task_home(exec_id)
  local block = task_home[exec_id]
  if block and not block.removed then
    return block
  end
end

function M.set_status(block, status, fields)
  block.status = status
  if status == "running" and not block.started_ms then
    block.started_ms = now_ms()
  end
  for k, v in pairs(fields or {}) do
    block[k] = v
  end
  M.schedule_render(block)
end

local function count_newlines(text)
  return select(2, text:gsub("\n", ""))
end

-- Background-task output is trimmed back to max_background_lines once it exceeds it
-- by this fraction: the cost of trimming is spread over many appends.
local TRIM_SLACK = 0.25

--- Drops `n` complete lines from the front of stream item `item`.
local function drop_lines(item, n)
  local i, at = render.after_lines(item.parts, n)
  if not i then
    item.parts = {}
    item.newlines = 0
    return
  end
  local rest = vim.list_slice(item.parts, i + 1)
  if at < #item.parts[i] then
    table.insert(rest, 1, item.parts[i]:sub(at + 1))
  end
  item.parts = rest
  item.newlines = item.newlines - n
end

--- Keeps a block's background-task output to its newest max_background_lines lines (a
--- ring: a task that prints forever does not grow memory); block.dropped counts the rest.
local function trim_background(block)
  local max = math.max(1, config.options.max_background_lines)
  if block.task_lines <= max + math.floor(max * TRIM_SLACK) then
    return
  end
  while block.task_lines > max do
    local index
    for i, item in ipairs(block.items) do
      if item.task then
        index = i
        break
      end
    end
    if not index then
      break
    end
    local item = block.items[index]
    local excess = block.task_lines - max
    local lines = item.parts and render.stream_count(item) or 1
    if lines <= excess or not item.parts then
      table.remove(block.items, index)
      block.task_lines, block.dropped = block.task_lines - lines, block.dropped + lines
    else
      drop_lines(item, excess)
      block.task_lines, block.dropped = block.task_lines - excess, block.dropped + excess
    end
  end
end

--- Appends an output. Consecutive stream chunks of one stream and task are merged into
--- one item that keeps its chunks in a list (no quadratic concatenation) and counts its
--- lines as they arrive, so a flood of output stays cheap to draw.
function M.append(block, output, task)
  block.task_lines = block.task_lines or 0
  block.dropped = block.dropped or 0
  if output.output_type == "stream" then
    local text = type(output.text) == "table" and table.concat(output.text) or (output.text or "")
    local last = block.items[#block.items]
    if not (last and last.parts and last.output.name == output.name and last.task == task) then
      last = { output = { output_type = "stream", name = output.name }, task = task, parts = {}, newlines = 0 }
      block.items[#block.items + 1] = last
    end
    if text ~= "" then
      local before = render.stream_count(last)
      last.parts[#last.parts + 1] = text
      last.newlines = last.newlines + count_newlines(text)
      last.partial = text:sub(-1) ~= "\n"
      if task then
        block.task_lines = block.task_lines + render.stream_count(last) - before
      end
    end
  else
    local item = { output = output, task = task }
    block.items[#block.items + 1] = item
    require("asyncell.images").on_output(block, item)
    if task then
      block.task_lines = block.task_lines + 1
    end
  end
  if task then
    trim_background(block)
  end
  M.schedule_render(block)
end

--- The execute request answered: adopt its outputs if none were streamed.
function M.finish(block, result)
  block.finished = true
  if not block.streamed and result.outputs then
    local tasks = vim.tbl_filter(function(item)
      return item.task ~= nil
    end, block.items)
    block.items = {}
    for _, output in ipairs(result.outputs) do
      M.append(block, output, nil)
    end
    vim.list_extend(block.items, tasks)
  end
  M.set_status(block, result.status or "ok", {
    count = result.executionCount or block.count,
    duration_ms = result.durationMs
      or (block.started_ms and (now_ms() - block.started_ms))
      or 0,
  })
end

--- `asyncell/output` notification.
function M.on_output(params)
  local exec_id, task = params.executionId, params.taskId
  if task == vim.NIL then
    task = nil
  end
  local block
  if task then
    block = task_home[exec_id]
  else
    block = by_exec[exec_id]
    -- Once the request answered with the outputs, late duplicates are dropped.
    if block and block.finished and not block.streamed then
      return
    end
  end
  if not block or block.removed or not params.output then
    return
  end
  if not task then
    block.streamed = true
    if block.status == "queued" then
      M.set_status(block, "running")
    end
  end
  if params.output.output_type == "execute_result" and params.output.execution_count then
    block.count = params.output.execution_count
  end
  M.append(block, params.output, task)
end

local function dropped_line(block)
  local n = block.dropped or 0
  if n > 0 then
    return {
      ("… %d earlier line%s of background output dropped (max_background_lines = %d)"):format(
        n,
        n == 1 and "" or "s",
        config.options.max_background_lines
      ),
      "AsyncellMore",
    }
  end
end

--- Lines of a block (without the header), each {text, hl, keep}.
function M.body(block, full)
  local lines = {}
  local dropped = dropped_line(block)
  if dropped then
    lines[1] = dropped
  end
  for _, item in ipairs(block.items) do
    vim.list_extend(lines, render.lines(item, full))
  end
  if block.message and block.status == "failed" then
    table.insert(lines, { block.message, "AsyncellError", true })
  end
  return lines
end

--- The folded body: the newest `max` lines (output that is still arriving shows its
--- latest line), the number of earlier lines left out (background lines dropped from the
--- ring included), and the `keep` lines (errors) among those earlier ones, which stay
--- visible. Only the lines shown are ever split out of stream text.
function M.folded_body(block, max)
  local tail, kept_rev, earlier = {}, {}, block.dropped or 0
  local function consider(line)
    if #tail < max then
      tail[#tail + 1] = line
    elseif line[3] and #kept_rev < max then
      -- (the newest `max` of them: a task failing in a loop does not fill the screen)
      kept_rev[#kept_rev + 1] = line
    else
      earlier = earlier + 1
    end
  end
  if block.message and block.status == "failed" then
    consider({ block.message, "AsyncellError", true })
  end
  for i = #block.items, 1, -1 do
    local item = block.items[i]
    if item.parts then
      local count = render.stream_count(item)
      local room = max - #tail
      local lines = room > 0 and render.lines(item, false, room, true) or {}
      for j = #lines, 1, -1 do
        tail[#tail + 1] = lines[j]
      end
      earlier = earlier + count - #lines
    else
      local lines = render.lines(item, false)
      for j = #lines, 1, -1 do
        consider(lines[j])
      end
    end
  end
  local shown, kept = {}, {}
  for i = #tail, 1, -1 do
    shown[#shown + 1] = tail[i]
  end
  for i = #kept_rev, 1, -1 do
    kept[#kept + 1] = kept_rev[i]
  end
  return shown, earlier, kept
end

--- Display cells for text in the widest window showing `buf` (nil when none shows it).
local function text_width(buf)
  local widest
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    local info = vim.fn.getwininfo(win)[1]
    local width = vim.api.nvim_win_get_width(win) - (info and info.textoff or 0)
    widest = math.max(widest or 0, width)
  end
  return widest
end

--- `text` cut into pieces of at most `width` display cells (virtual lines do not wrap),
--- at most `max` of them, the last one ending in "…" when text was left out.
function M.wrap(text, width, max)
  if not width or width < 8 or vim.fn.strdisplaywidth(text) <= width then
    return { text }
  end
  local pieces, start, total = {}, 0, vim.fn.strchars(text)
  while start < total do
    local n = width
    local piece = vim.fn.strcharpart(text, start, n)
    while n > 1 and vim.fn.strdisplaywidth(piece) > width do
      n = n - 1
      piece = vim.fn.strcharpart(text, start, n)
    end
    -- Break after a blank in the piece's second half, as 'linebreak' does, so a hint
    -- like "(:AsyncellOutput)" stays whole.
    if start + n < total then
      local blank = piece:match(".*()%s")
      if blank and blank > #piece / 2 then
        piece = piece:sub(1, blank)
        n = vim.fn.strchars(piece)
      end
    end
    start = start + n
    if #pieces + 1 == max and start < total then
      pieces[#pieces + 1] = vim.fn.strcharpart(piece, 0, vim.fn.strchars(piece) - 1) .. "…"
      break
    end
    pieces[#pieces + 1] = piece
  end
  return pieces
end

function M.render(block)
  if block.removed or not vim.api.nvim_buf_is_valid(block.buf) then
    return
  end
  local row = mark_row(block)
  if not row then
    return
  end
  local gutter = { config.options.gutter, "AsyncellGutter" }
  local width = text_width(block.buf)
  width = width and (width - vim.fn.strdisplaywidth(config.options.gutter))
  local virt_lines = {}
  local function add(text, hl)
    for _, piece in ipairs(M.wrap(text, width, config.options.max_lines)) do
      virt_lines[#virt_lines + 1] = { gutter, { piece, hl } }
    end
  end
  add(render.header(block, now_ms()))
  local shown, earlier, kept = M.folded_body(block, config.options.max_lines)
  if earlier > 0 then
    add(("… %d earlier line%s (:AsyncellOutput)"):format(earlier, earlier == 1 and "" or "s"), "AsyncellMore")
  end
  for _, line in ipairs(kept) do
    add(line[1], line[2])
  end
  for _, line in ipairs(shown) do
    add(line[1], line[2] or "AsyncellStdout")
  end
  block.virt_lines = virt_lines
  pcall(vim.api.nvim_buf_set_extmark, block.buf, M.ns, row, 0, {
    id = block.mark,
    virt_lines = virt_lines,
  })
end

local pending = {}
local scheduled = false

--- Renders on the next loop iteration, once however many outputs arrive meanwhile.
function M.schedule_render(block)
  pending[block] = true
  if scheduled then
    return
  end
  scheduled = true
  vim.schedule(function()
    scheduled = false
    local todo = pending
    pending = {}
    for b in pairs(todo) do
      M.render(b)
    end
  end)
end

--- Draws every block again (a window was resized: lines wrap at its new width).
function M.render_all()
  for _, buf_blocks in pairs(blocks) do
    for _, block in ipairs(buf_blocks) do
      M.schedule_render(block)
    end
  end
end

--- Running blocks (for the elapsed-time ticker).
function M.running()
  local list = {}
  for _, buf_blocks in pairs(blocks) do
    for _, block in ipairs(buf_blocks) do
      if block.status == "running" and not block.removed then
        list[#list + 1] = block
      end
    end
  end
  return list
end

function M.clear(buf)
  for _, block in ipairs(vim.list_slice(blocks[buf] or {})) do
    remove(block)
  end
  for id, home in pairs(task_home) do
    if home.buf == buf then
      task_home[id] = nil
    end
  end
  blocks[buf] = nil
  if vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

function M.clear_all()
  for buf in pairs(vim.deepcopy(blocks)) do
    M.clear(buf)
  end
end

function M.buffers()
  return vim.tbl_keys(blocks)
end

--- The block to show for `row`: the one under the cell containing it, else the nearest
--- one above.
function M.at(buf, row)
  local cell = require("asyncell.cells").at(buf, row)
  if cell then
    local found = M.in_rows(buf, cell.start_row, cell.end_row)
    if #found > 0 then
      return found[#found]
    end
  end
  local best
  for _, block in ipairs(M.list(buf)) do
    local r = mark_row(block)
    if r and r <= row then
      best = block
    end
  end
  return best or M.list(buf)[1]
end

return M
