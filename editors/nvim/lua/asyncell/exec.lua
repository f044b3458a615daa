-- Running code: asyncell/execute for cells and selections, interrupt, restart, and the
-- server's asyncell/event notifications.
local cells = require("asyncell.cells")
local lsp = require("asyncell.lsp")
local outputs = require("asyncell.outputs")
local status = require("asyncell.status")

local M = {}

local counter = 0
local inflight = {} -- buf -> blocks sent and not answered yet, in send order
local restarting = {} -- buf -> true while asyncell/restart is pending

local function notify(message, level)
  vim.notify("asyncell: " .. message, level or vim.log.levels.INFO)
end

local function new_id()
  counter = counter + 1
  return ("nvim-%d-%d"):format(vim.fn.getpid(), counter)
end

-- Redraws elapsed times of running cells (and the statusline) while anything runs.
local ticker
local function tick()
  local running = outputs.running()
  for _, block in ipairs(running) do
    outputs.render(block)
  end
  status.redraw()
  if #running == 0 and ticker then
    ticker:stop()
    ticker:close()
    ticker = nil
  end
end
local function ensure_ticker()
  if not ticker then
    ticker = vim.uv.new_timer()
    ticker:start(500, 500, vim.schedule_wrap(tick))
  end
end

local function advance(buf)
  local queue = inflight[buf] or {}
  local head = queue[1]
  if head and head.status == "queued" then
    outputs.set_status(head, "running")
    status.set_busy(buf, head)
  elseif not head then
    status.set_busy(buf, nil)
  end
end

-- How long a run asked for before the server attached waits for it.
M.attach_timeout_ms = 30000

--- Calls `fn` once the asyncell client has attached to `buf` (now, if it has), or
--- `failed` after attach_timeout_ms.
local function when_attached(buf, fn, failed)
  if lsp.ready(buf) then
    return fn()
  end
  local fired = false
  local id = vim.api.nvim_create_autocmd("LspAttach", {
    buffer = buf,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if fired or not client or client.name ~= lsp.name then
        return
      end
      fired = true
      -- After the attach has finished (the client is then listed for the buffer).
      vim.schedule(fn)
      return true
    end,
  })
  vim.defer_fn(function()
    if not fired then
      fired = true
      pcall(vim.api.nvim_del_autocmd, id)
      failed()
    end
  end, M.attach_timeout_ms)
end

--- Sends one asyncell/execute. `spec`: params (position or code), anchor_row and the
--- rows [from, to] whose previous output this run replaces, label. `done(block, result)`
--- is called when the request answers (result nil on error). Asked for in a buffer the
--- server has not attached to yet (just opened), the run shows as waiting and starts
--- when it attaches.
function M.execute(buf, spec, done)
  buf = buf == 0 and vim.api.nvim_get_current_buf() or buf
  if not lsp.client(buf) and not lsp.expected(buf) then
    notify("not attached to this buffer; is it a python file? (see :checkhealth asyncell)", vim.log.levels.ERROR)
    return nil
  end
  local exec_id = new_id()
  local block = outputs.create(buf, exec_id, spec.anchor_row, spec.from, spec.to, spec.label)
  local function send()
    block.waiting = nil
    if block.removed then
      return
    end
    inflight[buf] = inflight[buf] or {}
    table.insert(inflight[buf], block)
    advance(buf)
    ensure_ticker()
    status.refresh(buf)
    local params = vim.deepcopy(spec.params)
    params.executionId = exec_id
    lsp.request(buf, "asyncell/execute", params, function(err, result)
      local queue = inflight[buf] or {}
      for i, b in ipairs(queue) do
        if b == block then
          table.remove(queue, i)
          break
        end
      end
      if err then
        outputs.set_status(block, "failed", { message = err.message or vim.inspect(err), finished = true })
        if not block.removed then
          notify("execute failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        end
      else
        outputs.finish(block, result or {})
      end
      advance(buf)
      status.refresh(buf)
      if done then
        done(block, not err and result or nil)
      end
    end)
  end
  if lsp.ready(buf) then
    send()
  else
    block.waiting = true
    outputs.render(block)
    when_attached(buf, send, function()
      local message = "the server did not start (see :checkhealth asyncell)"
      outputs.set_status(block, "failed", { message = message, finished = true })
      notify(message, vim.log.levels.ERROR)
      if done then
        done(block, nil)
      end
    end)
  end
  return block
end

local function cell_spec(cell, row)
  return {
    params = { position = { line = row or cell.start_row, character = 0 } },
    anchor_row = cell.anchor_row,
    from = cell.start_row,
    to = cell.end_row,
  }
end

--- Runs the cell containing `row` (default: the cursor's).
function M.run_cell(buf, row)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  row = row or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  local cell = cells.at(buf, row)
  if not cell then
    return notify("the cursor is not in a cell (blank lines before the first `# %%`)", vim.log.levels.WARN)
  end
  if not cell.is_code then
    return notify("this is a markdown cell", vim.log.levels.WARN)
  end
  return M.execute(buf, cell_spec(cell, row))
end

--- Runs cells one after the other; stops at the first that does not finish "ok".
function M.run_cells(buf, list)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if #list == 0 then
    return notify("no cells to run", vim.log.levels.WARN)
  end
  local function run(i)
    local cell = list[i]
    if not cell then
      return
    end
    M.execute(buf, cell_spec(cell), function(block, result)
      if block.removed or not result then
        return
      end
      if result.status ~= "ok" then
        if list[i + 1] then
          notify(("stopped: cell %d ended with %s"):format(cell.index, result.status), vim.log.levels.WARN)
        end
        return
      end
      run(i + 1)
    end)
  end
  run(1)
end

--- Runs the code cell with 0-based index `index` among the buffer's code cells (the
--- numbering of asyncell/execute's `cell` and of the server's code lenses).
function M.run_code_cell(buf, index)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local code = cells.code_cells(buf)
  local cell = code[(index or 0) + 1]
  if not cell then
    -- Users count cells from 1 among all cells ("cell N"); the 0-based code-cell index
    -- (a stale lens's, or an API caller's) is no cell number, so it is not shown.
    local all = #cells.list(buf)
    return notify(
      ("no such cell to run: the buffer has %d cell%s, %d of them code"):format(all, all == 1 and "" or "s", #code),
      vim.log.levels.WARN
    )
  end
  return M.execute(buf, cell_spec(cell))
end

--- Runs the code cells before code cell `index` (0-based).
function M.run_code_cells_before(buf, index)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  return M.run_cells(buf, vim.list_slice(cells.code_cells(buf), 1, index or 0))
end

function M.run_above(buf, row)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  row = row or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  return M.run_cells(buf, cells.above(buf, row))
end

--- Runs the cell containing `row` and every code cell below it, stopping at a failure.
function M.run_below(buf, row)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  row = row or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  return M.run_cells(buf, cells.from(buf, row))
end

--- Runs the cell under the cursor and moves the cursor into the next cell (Jupyter's
--- Shift-Enter); in the last cell the cursor stays.
function M.run_and_advance(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local cell = cells.at(buf, row)
  -- Stepping through a notebook passes over markdown cells without a warning.
  local block = (cell and not cell.is_code) and nil or M.run_cell(buf, row)
  local next_cell = cells.step(buf, row, 1)
  if next_cell and vim.api.nvim_get_current_buf() == buf then
    vim.api.nvim_win_set_cursor(0, { cells.body_row(next_cell) + 1, 0 })
  end
  return block
end

--- Restarts the host (a fresh interpreter, outputs cleared), then runs every code cell.
function M.restart_run_all(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  M.restart(buf, function(err)
    if not err then
      M.run_all(buf)
    end
  end)
end

function M.run_all(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  return M.run_cells(buf, cells.code_cells(buf))
end

local function dedent(lines)
  local indent
  for _, line in ipairs(lines) do
    if line:match("%S") then
      local lead = line:match("^%s*")
      if not indent or #lead < #indent then
        indent = lead
      end
    end
  end
  if not indent or indent == "" then
    return lines
  end
  return vim.tbl_map(function(line)
    return line:sub(1, #indent) == indent and line:sub(#indent + 1) or line:gsub("^%s+", "")
  end, lines)
end

--- Runs rows [from, to] (0-based, inclusive) as code; output goes below `to`.
function M.run_selection(buf, from, to)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local lines = vim.api.nvim_buf_get_lines(buf, from, to + 1, false)
  local anchor = from
  for i = #lines, 1, -1 do
    if lines[i]:match("%S") then
      anchor = from + i - 1
      break
    end
  end
  return M.execute(buf, {
    params = { code = table.concat(dedent(lines), "\n") .. "\n" },
    anchor_row = anchor,
    from = from,
    to = to,
    label = "selection",
  })
end

--- Sends a host-control request, reports a failure as `what failed: ...`, lets
--- `on_result` explain an unremarkable-looking result, then refreshes the status line.
local function control(buf, method, params, what, on_result, done)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  lsp.request(buf, method, params, function(err, result)
    if err then
      notify(what .. " failed: " .. (err.message or ""), vim.log.levels.ERROR)
    elseif result then
      on_result(result)
    end
    status.refresh(buf)
    if done then
      done(err, result)
    end
  end)
end

function M.interrupt(buf, done)
  control(buf, "asyncell/interrupt", {}, "interrupt", function(result)
    if result.restartSuggested then
      notify((result.message or "the cell did not stop") .. "; :AsyncellRestart restarts the host", vim.log.levels.WARN)
    elseif result.interrupted == false and (result.dropped or 0) == 0 then
      notify("nothing to interrupt")
    end
  end, done)
end

function M.restart(buf, done)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  restarting[buf] = true
  lsp.request(buf, "asyncell/restart", {}, function(err, result)
    restarting[buf] = nil
    if err then
      notify("restart failed: " .. (err.message or ""), vim.log.levels.ERROR)
    else
      outputs.clear(buf)
      inflight[buf] = nil
      status.set_busy(buf, nil)
      notify(("restarted the host%s"):format(result and result.pid and (" (pid " .. result.pid .. ")") or ""))
    end
    status.refresh(buf, true)
    if done then
      done(err, result)
    end
  end)
end

function M.cancel_task(buf, task_id, done)
  control(buf, "asyncell/cancelTask", { taskId = task_id }, "cancel", function(result)
    if result.cancelled == false then
      notify(("task %s was not running"):format(task_id))
    end
  end, done)
end

local function mark_dead(buf)
  for _, block in ipairs(inflight[buf] or {}) do
    outputs.set_status(block, "dead")
  end
  inflight[buf] = nil
  status.set_busy(buf, nil)
end

--- `asyncell/event` notification.
function M.on_event(params)
  local uri = params.textDocument and params.textDocument.uri
  local buf = uri and lsp.buf_for_uri(uri)
  local message = params.message ~= vim.NIL and params.message or nil
  if params.kind == "taskFailed" then
    -- The server's message names the task and says it failed ("background task "beat"
    -- (t1) failed: RuntimeError: boom"); only a bare event needs words of its own.
    notify(message or ("task %s failed"):format(params.taskId or "?"), vim.log.levels.WARN)
  elseif params.kind == "hostExited" and buf and not restarting[buf] then
    mark_dead(buf)
    -- `stopped`: the server stopped it on purpose (shutdown), which is no failure.
    if params.stopped == true then
      notify("the host stopped" .. (message and (": " .. message) or ""))
    else
      notify("the host exited" .. (message and (": " .. message) or ""), vim.log.levels.WARN)
    end
  end
  if buf then
    status.refresh(buf, true)
  end
end

--- The language server exited: every run in flight is over.
function M.on_server_exit()
  for buf in pairs(inflight) do
    mark_dead(buf)
  end
  status.reset()
end

return M
