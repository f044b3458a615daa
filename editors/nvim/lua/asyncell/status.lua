-- The host's state for the statusline: "trio ● busy 3.2s · 2 tasks".
-- Kept cheap: the string is built from a cache; the cache is refreshed after every
-- execute/interrupt/restart/cancel and asyncell/event, and polled (asyncell/status) on
-- one timer only while an asyncell client is attached, and only for the current buffer
-- once its host exists.
local config = require("asyncell.config")
local lsp = require("asyncell.lsp")

local M = {}

local cache = {} -- buf -> last asyncell/status result
local busy = {} -- buf -> the block running now (local knowledge, for the elapsed time)
local requesting = {} -- buf -> true while an asyncell/status request is pending
local listeners = {}
local timer
local last_line

local function nil_if_null(value)
  if value == vim.NIL then
    return nil
  end
  return value
end

function M.get(buf)
  return cache[buf]
end

function M.on_update(fn)
  listeners[#listeners + 1] = fn
end

function M.redraw()
  local line = M.line(vim.api.nvim_get_current_buf())
  if line ~= last_line then
    last_line = line
    pcall(vim.cmd.redrawstatus)
    pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "AsyncellStatus", modeline = false })
  end
end

--- Asks the server for the host's state. Without `force`, skipped while a request for
--- this buffer is pending.
function M.refresh(buf, force, done)
  if requesting[buf] and not force then
    return
  end
  if not lsp.client(buf) then
    return
  end
  requesting[buf] = true
  lsp.request(buf, "asyncell/status", {}, function(err, result)
    requesting[buf] = nil
    if not err and type(result) == "table" then
      M.update(buf, result)
    end
    if done then
      done(err, result)
    end
  end)
end

--- An asyncell/status result for `buf`: cached for the statusline, and given to the
--- listeners (the task list).
function M.update(buf, result)
  cache[buf] = result
  for _, fn in ipairs(listeners) do
    pcall(fn, buf, result)
  end
  M.redraw()
end

function M.set_busy(buf, block)
  busy[buf] = block
  M.redraw()
end

function M.reset()
  cache, busy, requesting = {}, {}, {}
  M.redraw()
end

local ICONS = { busy = "●", idle = "○", starting = "◌", dead = "✗", none = "○" }

--- The statusline text for a buffer ("" when asyncell is not attached).
function M.line(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if not lsp.client(buf) then
    return ""
  end
  local s = cache[buf] or {}
  local loop = nil_if_null(s.loop) or config.options.loop or "asyncell"
  if loop == "auto" then
    loop = "asyncell"
  end
  local state = nil_if_null(s.state) or "none"
  local block = busy[buf]
  if block and not block.removed and block.status == "running" then
    state = "busy"
  end
  local text = loop .. " " .. (ICONS[state] or "?") .. " " .. (state == "none" and "no host" or state)
  if state == "busy" and block and block.started_ms then
    text = text .. (" %.1fs"):format((vim.uv.hrtime() / 1e6 - block.started_ms) / 1000)
  end
  local running = 0
  for _, task in ipairs(nil_if_null(s.tasks) or {}) do
    if task.state == "running" then
      running = running + 1
    end
  end
  if running > 0 then
    text = text .. (" · %d task%s"):format(running, running == 1 and "" or "s")
  end
  return text
end

local function tick()
  if #lsp.clients() == 0 then
    M.stop()
    return
  end
  local buf = vim.api.nvim_get_current_buf()
  if not lsp.client(buf) then
    return
  end
  local s = cache[buf]
  -- A document whose host was never started has nothing to poll for.
  if s == nil or s.state ~= "none" or busy[buf] then
    M.refresh(buf)
  end
  M.redraw()
end

function M.start()
  if timer then
    return
  end
  timer = vim.uv.new_timer()
  local interval = math.max(200, config.options.status_interval or 2000)
  timer:start(interval, interval, vim.schedule_wrap(tick))
end

function M.stop()
  if timer then
    timer:stop()
    timer:close()
    timer = nil
  end
end

function M.forget(buf)
  cache[buf], busy[buf], requesting[buf] = nil, nil, nil
end

return M
