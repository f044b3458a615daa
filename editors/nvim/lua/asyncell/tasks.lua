-- :AsyncellTasks: the background tasks of a buffer's host, with their state, in a
-- scratch window. `x`/`dd` cancels the task under the cursor, `r` refreshes, <CR> jumps to
-- the cell that started it, `q` closes. The list follows status updates while open.
local cells = require("asyncell.cells")
local outputs = require("asyncell.outputs")
local status = require("asyncell.status")

local M = {}

local ns = vim.api.nvim_create_namespace("asyncell.tasks")
local views = {} -- tasks buffer -> {source = buf, rows = {row -> task}}

local STATE_HL = {
  running = "AsyncellTaskRunning",
  failed = "AsyncellTaskFailed",
  done = "AsyncellTaskDone",
  cancelled = "AsyncellTaskCancelled",
}

local function age(started_at)
  if type(started_at) ~= "number" then
    return ""
  end
  local sec, usec = vim.uv.gettimeofday()
  local seconds = math.max(0, sec + usec / 1e6 - started_at)
  if seconds < 60 then
    return ("%ds"):format(math.floor(seconds))
  elseif seconds < 3600 then
    return ("%dm%02ds"):format(math.floor(seconds / 60), math.floor(seconds) % 60)
  end
  return ("%dh%02dm"):format(math.floor(seconds / 3600), math.floor(seconds / 60) % 60)
end

local function started_by(task)
  local exec_id = task.startedBy ~= vim.NIL and task.startedBy or nil
  local block = exec_id and outputs.task_home(exec_id)
  if block then
    -- "cell N [K]" as the server and `asyncell run` say it: N among all cells, K the count.
    local cell = cells.at(block.buf, outputs.row(block) or 0)
    return ("cell %s [%s]"):format(cell and cell.index or "?", block.count or "*"), block
  end
  return exec_id or "?"
end

--- Lines of the task list for a status result: {lines, rows = {row -> task}, hls}.
function M.format(source, result)
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(source), ":t")
  local loop = result and result.loop ~= vim.NIL and result.loop or "?"
  local pid = result and result.pid ~= vim.NIL and result.pid or nil
  local state = result and result.state or "unknown"
  local lines = {
    ("asyncell tasks · %s · %s %s%s   x: cancel  r: refresh  <CR>: go to cell  q: close"):format(
      name,
      loop,
      state,
      pid and (" · pid " .. pid) or ""
    ),
  }
  local rows, hls = {}, {}
  local tasks = result and result.tasks ~= vim.NIL and result.tasks or {}
  if #tasks == 0 then
    lines[#lines + 1] = "  (no background tasks)"
    return lines, rows, hls
  end
  local header = ("  %-6s %-20s %-10s %-8s %s"):format("ID", "NAME", "STATE", "AGE", "STARTED BY")
  lines[#lines + 1] = header
  for _, task in ipairs(tasks) do
    local by = started_by(task)
    lines[#lines + 1] = ("  %-6s %-20s %-10s %-8s %s"):format(
      task.id,
      task.name or "",
      task.state or "?",
      age(task.startedAt),
      by
    )
    rows[#lines] = task
    hls[#lines] = STATE_HL[task.state]
  end
  return lines, rows, hls
end

local function draw(tbuf)
  local view = views[tbuf]
  if not view or not vim.api.nvim_buf_is_valid(tbuf) then
    views[tbuf] = nil
    return
  end
  local lines, rows, hls = M.format(view.source, status.get(view.source))
  view.rows = rows
  vim.bo[tbuf].modifiable = true
  vim.api.nvim_buf_set_lines(tbuf, 0, -1, false, lines)
  vim.bo[tbuf].modifiable = false
  vim.bo[tbuf].modified = false
  vim.api.nvim_buf_clear_namespace(tbuf, ns, 0, -1)
  vim.api.nvim_buf_set_extmark(tbuf, ns, 0, 0, { end_row = 1, hl_group = "Title", strict = false })
  for row, hl in pairs(hls) do
    vim.api.nvim_buf_set_extmark(tbuf, ns, row - 1, 0, { end_row = row, hl_group = hl, strict = false })
  end
end

status.on_update(function(buf)
  for tbuf, view in pairs(views) do
    if view.source == buf then
      draw(tbuf)
    end
  end
end)

--- The task on the cursor line of a tasks window.
function M.task_under_cursor(tbuf)
  tbuf = tbuf or vim.api.nvim_get_current_buf()
  local view = views[tbuf]
  return view and view.rows[vim.api.nvim_win_get_cursor(0)[1]]
end

--- The tasks buffer showing `source`'s tasks, if one is open.
function M.buffer_for(source)
  for tbuf, view in pairs(views) do
    if view.source == source and vim.api.nvim_buf_is_valid(tbuf) then
      return tbuf
    end
  end
end

--- Opens (or focuses) the task list of buffer `source`.
function M.open(source)
  source = (source == nil or source == 0) and vim.api.nvim_get_current_buf() or source
  if not require("asyncell.lsp").client(source) then
    vim.notify("asyncell: not attached to this buffer (see :checkhealth asyncell)", vim.log.levels.ERROR)
    return
  end
  local tbuf = M.buffer_for(source)
  if tbuf and vim.fn.bufwinid(tbuf) ~= -1 then
    vim.api.nvim_set_current_win(vim.fn.bufwinid(tbuf))
  else
    if not tbuf then
      tbuf = vim.api.nvim_create_buf(false, true)
      vim.bo[tbuf].bufhidden = "wipe"
      vim.bo[tbuf].filetype = "asyncell-tasks"
      views[tbuf] = { source = source, rows = {} }
      M.mappings(tbuf)
      vim.api.nvim_create_autocmd("BufWipeout", {
        buffer = tbuf,
        callback = function()
          views[tbuf] = nil
        end,
      })
    end
    vim.cmd("botright 8split")
    vim.api.nvim_win_set_buf(0, tbuf)
    vim.wo.winfixheight = true
    vim.wo.cursorline = true
  end
  draw(tbuf)
  status.refresh(source, true)
  return tbuf
end

function M.mappings(tbuf)
  local function map(lhs, fn, desc)
    vim.keymap.set("n", lhs, fn, { buffer = tbuf, nowait = true, desc = desc })
  end
  local function cancel()
    local task = M.task_under_cursor(tbuf)
    local view = views[tbuf]
    if not task or not view then
      return vim.notify("asyncell: no task on this line", vim.log.levels.WARN)
    end
    require("asyncell.exec").cancel_task(view.source, task.id)
  end
  map("x", cancel, "Cancel the task under the cursor")
  map("dd", cancel, "Cancel the task under the cursor")
  map("r", function()
    local view = views[tbuf]
    if view then
      status.refresh(view.source, true)
    end
  end, "Refresh the task list")
  map("<CR>", function()
    local task = M.task_under_cursor(tbuf)
    local view = views[tbuf]
    if not task or not view then
      return
    end
    local _, block = started_by(task)
    local row = block and outputs.row(block)
    local win = vim.fn.bufwinid(view.source)
    if row and win ~= -1 then
      vim.api.nvim_set_current_win(win)
      vim.api.nvim_win_set_cursor(win, { row + 1, 0 })
    end
  end, "Go to the cell that started the task")
  map("q", "<cmd>close<cr>", "Close the task list")
end

return M
