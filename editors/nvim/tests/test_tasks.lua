-- Background tasks on the real trio host: their output lands under the cell that started
-- them, :AsyncellTasks lists them with their state, and one can be cancelled from there.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup({ max_lines = 50 })

local CELLS = table.concat({
  "# %%",
  "import trio",
  "async def heartbeat():",
  "    n = 0",
  "    while True:",
  "        n += 1",
  "        print('beat', n)",
  "        await trio.sleep(0.05)",
  "background.start_soon(heartbeat, name='heartbeat')",
  "",
  "# %%",
  "import trio",
  "await trio.sleep(0.3)",
  "print('second cell done')",
}, "\n")

local function beats(buf)
  local entry = H.block_below(buf, "background.start_soon")
  local n = 0
  for _, line in ipairs(entry and entry.lines or {}) do
    local beat = line:match("beat (%d+)")
    if beat then
      n = math.max(n, tonumber(beat))
    end
  end
  return n
end

local function tasks_text(tbuf)
  return table.concat(vim.api.nvim_buf_get_lines(tbuf, 0, -1, false), "\n")
end

H.test("a heartbeat's output goes under the cell that started it, not the running cell", function()
  local buf = H.open("beats.py", CELLS)
  H.cursor_to("background.start_soon")
  vim.cmd("AsyncellRunCell")
  H.wait("three beats under the starting cell", function()
    return beats(buf) >= 3
  end)
  local entry = H.block_below(buf, "background.start_soon")
  H.contains(entry.lines, "] beat 1", "task output is tagged with its task id")
  H.cursor_to("second cell done")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "second cell done")
  local second = H.block_below(buf, "print('second cell done')")
  H.not_contains(second.lines, "beat", "the second cell's output")
  local before = beats(buf)
  H.wait("more beats while other cells ran", function()
    return beats(buf) > before
  end)
end)

H.test(":AsyncellTasks lists the heartbeat as running, and x cancels it", function()
  local buf = H.open("tasks.py", CELLS)
  -- Cell 2 first, so cell 1 runs as [2]: the list names both.
  H.cursor_to("second cell done")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "second cell done")
  H.cursor_to("background.start_soon")
  vim.cmd("AsyncellRunCell")
  H.wait("a beat", function()
    return beats(buf) >= 1
  end)
  H.wait("the statusline to count the task", function()
    return require("asyncell").status(buf):find("· 1 task", 1, true)
  end)
  vim.cmd("AsyncellTasks")
  local tbuf = vim.api.nvim_get_current_buf()
  H.truthy(tbuf ~= buf, "the task list opened in its own window")
  H.eq("asyncell-tasks", vim.bo[tbuf].filetype, "task list filetype")
  H.wait("heartbeat listed as running", function()
    return tasks_text(tbuf):match("heartbeat%s+running")
  end)
  -- the task says which cell started it: "cell N [K]", as the server's messages do
  H.contains(tasks_text(tbuf), "cell 1 [2]")
  -- cancel the task on its line
  for i, line in ipairs(vim.api.nvim_buf_get_lines(tbuf, 0, -1, false)) do
    if line:find("heartbeat", 1, true) then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
    end
  end
  -- <CR> jumps to the cell that started the task
  vim.cmd("normal \r")
  H.eq(buf, vim.api.nvim_get_current_buf(), "<CR> went to the source buffer")
  H.eq("background.start_soon(heartbeat, name='heartbeat')", vim.api.nvim_get_current_line(), "the starting cell's line")
  vim.fn.win_gotoid(vim.fn.bufwinid(tbuf))
  vim.cmd("normal x")
  H.wait("the heartbeat listed as cancelled", function()
    return tasks_text(tbuf):match("heartbeat%s+cancelled")
  end)
  H.wait("the statusline to drop the task", function()
    local s = require("asyncell").status(buf)
    return s ~= "" and not s:find("task", 1, true)
  end)
  local stopped = beats(buf)
  vim.wait(300, function()
    return false
  end)
  H.eq(stopped, beats(buf), "no beats after the cancel")
  vim.cmd("close")
end)

H.test(":AsyncellCancelTask cancels by id", function()
  local buf = H.open("cancel.py", CELLS)
  H.cursor_to("background.start_soon")
  vim.cmd("AsyncellRunCell")
  local status = require("asyncell.status")
  local task = H.wait("the task in the status", function()
    local s = status.get(buf)
    return s and s.tasks and s.tasks[1]
  end)
  vim.cmd("AsyncellCancelTask " .. task.id)
  H.wait("the task to be cancelled", function()
    local s = status.get(buf)
    return s and s.tasks and s.tasks[1] and s.tasks[1].state == "cancelled"
  end)
end)

H.test("a failing task is reported: notification, traceback under its cell, failed in the list", function()
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    messages[#messages + 1] = { msg, level }
  end
  local ok, err = pcall(function()
    local buf = H.open("crash.py", "# %%\nimport trio\nasync def crash():\n    await trio.sleep(0.1)\n    raise RuntimeError('task blew up')\nbackground.start_soon(crash, name='crasher')\n")
    H.cursor_to("start_soon")
    vim.cmd("AsyncellRunCell")
    local text = H.wait_output(buf, "RuntimeError: task blew up")
    H.contains(text, "] Traceback", "the task's traceback under the cell, tagged with the task")
    H.wait("a warning naming the task", function()
      for _, m in ipairs(messages) do
        if m[1]:find("failed", 1, true) and m[1]:find("task blew up", 1, true) and m[2] == vim.log.levels.WARN then
          return true
        end
      end
    end)
    vim.cmd("AsyncellTasks")
    local tbuf = vim.api.nvim_get_current_buf()
    H.wait("the task listed as failed", function()
      return tasks_text(tbuf):match("crasher%s+failed")
    end)
    vim.cmd("close")
  end)
  vim.notify = notify
  if not ok then
    error(err, 0)
  end
end)

H.test("a host that dies mid-cell is reported under the cell", function()
  local buf = H.open("exit.py", "# %%\nimport os\nos._exit(3)\n")
  H.cursor_to("os._exit")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "✗ error")
  H.contains(H.output_text(buf), "HostDied")
  H.wait("the statusline to show the dead host", function()
    return require("asyncell").status(buf):find("dead", 1, true)
  end)
end)

H.run()
