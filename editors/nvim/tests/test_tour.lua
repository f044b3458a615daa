-- The headless tour in the README keeps working: run it as a user would and check each
-- screen it prints.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.test("editors/nvim/tour.lua shows diagnostics, outputs, interrupt, tasks, traceback, restart", function()
  local result = vim.system({
    vim.v.progpath, "--headless", "--clean", "-n",
    "--cmd", "set rtp^=editors/nvim",
    "-l", "editors/nvim/tour.lua",
  }, {
    cwd = H.root,
    text = true,
    env = { ASYNCELL_BIN = H.bin, ASYNCELL_PYTHON = H.python },
  }):wait(60000)
  H.eq(0, result.code, "tour exit code; stderr: " .. (result.stderr or ""))
  local out = result.stdout
  H.contains(out, "E 29  trio.run(trio.sleep, 0)    ■ LOOP200", "diagnostic on the trio.run line")
  H.truthy(out:find("│ %[t1%] beat %d+"), "background task output under its cell")
  H.contains(out, "│ … 7 earlier lines (:AsyncellOutput)", "folded long output: its newest lines")
  H.contains(out, "│ row 11", "the last row of the long output")
  H.contains(out, "│ careful", "stderr")
  H.contains(out, "│ → {'answer': 42}", "result")
  H.contains(out, "│ ✗ ZeroDivisionError: division by zero", "error")
  H.contains(out, "│ ● running", "running cell")
  H.truthy(out:find("statusline: trio ● busy %d+%.%ds · 1 task"), "busy statusline")
  H.contains(out, "│ ⊘ [5] interrupted", "interrupted cell")
  H.truthy(out:find("t1%s+heartbeat%s+running"), "task list")
  H.contains(out, 'File "<cell 4 [4]>", line 2, in <module>', "traceback in the float: the cell and its count")
  H.truthy(out:find("heartbeat%s+function%s+<function heartbeat"), "the variables float")
  local after_restart = out:sub(out:find(":AsyncellRestart", 1, true), -1)
  H.not_contains(after_restart, "│", "outputs after the restart")
  H.contains(after_restart, "statusline: trio ○ idle", "statusline after the restart")
end)

H.run()
