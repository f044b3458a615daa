-- Interrupting a running cell and restarting the host, on the real trio host.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup()

local SLEEPY = table.concat({
  "# %%",
  "import trio",
  "print('sleeping')",
  "await trio.sleep(30)",
  "print('not reached')",
  "",
  "# %%",
  "import time",
  "print('blocking')",
  "time.sleep(30)",
  "print('not reached either')",
  "",
  "# %%",
  "print('still alive')",
}, "\n")

H.test("interrupting a sleeping cell cancels it and the loop keeps working", function()
  local buf = H.open("sleepy.py", SLEEPY)
  H.cursor_to("await trio.sleep(30)")
  local started = vim.uv.hrtime()
  vim.cmd("AsyncellRunCell")
  H.wait("the cell to start sleeping", function()
    return H.block_text(buf, "print('not reached')"):find("sleeping", 1, true)
  end)
  H.truthy(H.without_counts(H.block_text(buf, "print('not reached')")):find("● running", 1, true), "shown as running")
  vim.cmd("AsyncellInterrupt")
  H.wait("the cancellation under the cell", function()
    return H.without_counts(H.block_text(buf, "print('not reached')")):find("⊘ interrupted", 1, true)
  end)
  H.truthy((vim.uv.hrtime() - started) / 1e9 < 10, "cancelled long before the 30 s sleep ended")
  H.not_contains(H.block_text(buf, "print('not reached')"), "not reached")
  H.cursor_to("still alive")
  vim.cmd("AsyncellRunCell")
  H.wait("a later cell to run", function()
    return H.block_text(buf, "print('still alive')"):find("still alive\n", 1, true)
      or H.block_text(buf, "print('still alive')"):match("still alive$")
  end)
end)

H.test("interrupting blocking code stops it too", function()
  local buf = H.open("blocking.py", SLEEPY)
  H.cursor_to("time.sleep(30)")
  vim.cmd("AsyncellRunCell")
  H.wait("the cell to block", function()
    return H.block_text(buf, "print('not reached either')"):find("blocking", 1, true)
  end)
  vim.wait(100, function()
    return false
  end)
  vim.cmd("AsyncellInterrupt")
  local text = H.wait("the interrupted cell to finish", function()
    local t = H.block_text(buf, "print('not reached either')")
    return not t:find("running", 1, true) and t
  end)
  H.truthy(text:find("cancelled", 1, true) or text:find("KeyboardInterrupt", 1, true), "interrupted: " .. text)
  H.not_contains(text, "not reached either")
end)

H.test("restart clears the outputs and gives a fresh host", function()
  local buf = H.open("restart.py", "# %%\nx = 41\nprint('x is', x)\n# %%\nprint(x + 1)\n")
  H.cursor_to("print('x is'")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "x is 41")
  local status = require("asyncell.status")
  local pid = H.wait("the host's pid", function()
    local s = status.get(buf)
    return s and s.pid ~= vim.NIL and s.pid
  end)
  vim.cmd("AsyncellRestart")
  H.wait("the outputs to be cleared", function()
    return #H.outputs(buf) == 0
  end)
  H.wait("a new host pid", function()
    local s = status.get(buf)
    return s and s.pid ~= vim.NIL and s.pid ~= pid
  end)
  -- the namespace is fresh: x is gone
  H.cursor_to("print(x + 1)")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "NameError")
  H.eq(1, #H.outputs(buf), "only the new output")
end)

H.run()
