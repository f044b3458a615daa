-- Running cells on the real host (real trio): outputs as virtual lines under the cell.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup({ max_lines = 6, codelens = true })

local CELLS = table.concat({
  "# %%",
  "import sys",
  "import trio",
  "print('hello from cell 1')",
  "",
  "# %%",
  "await trio.sleep(0.01)",
  "print('to stderr', file=sys.stderr)",
  "6 * 7",
  "",
  "# %%",
  "1 / 0",
  "",
  "# %%",
  "for i in range(30):",
  "    print('line', i)",
}, "\n")

local function blocks(buf)
  return H.outputs(buf)
end

local function wait_block(buf, needle, text)
  local ok, entry = pcall(H.wait, ("output %q under %q"):format(text, needle), function()
    local entry = H.block_below(buf, needle)
    return entry and table.concat(entry.lines, "\n"):find(text, 1, true) and entry
  end, 20000)
  if not ok then
    error(("%s; the outputs are:\n%s"):format(entry, vim.inspect(H.outputs(buf))), 2)
  end
  return entry
end

H.test("running a cell shows its stdout under the cell's last line", function()
  local buf = H.open("run.py", CELLS)
  H.cursor_to("hello from cell 1")
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "print('hello from cell 1')", "✓")
  H.contains(entry.lines[2], "hello from cell 1")
  H.eq("AsyncellStdout", entry.hls[2][2], "stdout highlight")
  H.eq("✓ [1]", entry.lines[1]:match("✓ %[%d+%]"), "header: the state, then the execution count")
  H.eq(1, #blocks(buf), "one block")
end)

H.test("cells share one namespace; stderr is distinguished and a result shows as → value, its count as [K] in the header", function()
  local buf = H.open("results.py", CELLS)
  H.cursor_to("import trio")
  vim.cmd("AsyncellRunCell")
  H.cursor_to("6 * 7") -- uses sys and trio imported by cell 1
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "6 * 7", "✓ [")
  local text = table.concat(entry.lines, "\n")
  H.contains(text, "to stderr")
  H.contains(text, "→ 42")
  H.contains(entry.lines[1], "✓ [2] ", "the execution count, in the header only")
  H.not_contains(text, "Out[", "no Jupyter Out[K] label")
  for i, line in ipairs(entry.lines) do
    if line:find("to stderr", 1, true) then
      H.eq("AsyncellStderr", entry.hls[i][2], "stderr highlight")
    end
  end
end)

H.test("an error is highlighted and its traceback opens in a float", function()
  local buf = H.open("error.py", CELLS)
  H.cursor_to("1 / 0")
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "1 / 0", "✗ [")
  H.truthy(entry.lines[1]:match("✗ %[%d+%] error %d+ ms"), "header: " .. entry.lines[1])
  local found = false
  for i, line in ipairs(entry.lines) do
    if line:find("ZeroDivisionError: division by zero", 1, true) then
      H.eq("AsyncellError", entry.hls[i][2], "error highlight")
      H.contains(line, ":AsyncellOutput", "hint to the traceback")
      found = true
    end
  end
  H.truthy(found, "error line")
  H.cursor_to("1 / 0")
  vim.cmd("AsyncellOutput")
  local win = vim.api.nvim_get_current_win()
  H.truthy(vim.api.nvim_win_get_config(win).relative ~= "", "output opened in a float")
  local float_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  H.contains(float_text, "Traceback")
  H.contains(float_text, "1 / 0", "the traceback shows the failing line")
  H.contains(float_text, "ZeroDivisionError: division by zero")
  vim.cmd("normal q")
  H.eq(buf, vim.api.nvim_get_current_buf(), "q closes the float")
end)

H.test("long output folds to max_lines and the whole of it opens in a scratch split", function()
  local buf = H.open("long.py", CELLS)
  H.cursor_to("print('line', i)")
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "print('line', i)", "✓")
  H.eq(1 + 1 + 6, #entry.lines, "header + fold line + max_lines")
  H.contains(entry.lines[2], "… 24 earlier lines")
  H.contains(entry.lines[3], "line 24", "the newest lines are shown")
  H.contains(entry.lines[8], "line 29")
  vim.cmd("AsyncellOutput!")
  H.eq("", vim.api.nvim_win_get_config(0).relative, "a split, not a float")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  H.contains(text, "line 29")
  vim.cmd("close")
end)

H.test("a flood of output stays folded and the editor stays responsive", function()
  local buf = H.open("flood.py", "# %%\nfor i in range(50000):\n    print('flood', i)\n")
  H.cursor_to("print('flood'")
  local started = vim.uv.hrtime()
  -- the main loop must keep turning: measure the longest gap between 20 ms ticks
  local last, worst = vim.uv.hrtime(), 0
  local ticker = vim.uv.new_timer()
  ticker:start(20, 20, vim.schedule_wrap(function()
    local now = vim.uv.hrtime()
    worst = math.max(worst, (now - last) / 1e6)
    last = now
  end))
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "print('flood'", "✓")
  ticker:stop()
  ticker:close()
  H.say(("   (longest main-loop stall during the flood: %.0f ms)"):format(worst))
  H.truthy(worst < 1500, ("longest stall %.0f ms"):format(worst))
  H.eq(1 + 1 + 6, #entry.lines, "header + fold line + max_lines")
  H.contains(entry.lines[2], "… 49994 earlier lines")
  H.contains(entry.lines[8], "flood 49999", "the newest line is shown")
  H.truthy((vim.uv.hrtime() - started) / 1e9 < 20, "50k lines in under 20 s")
  -- the full output has every line
  local block = require("asyncell.outputs").at(buf, 1)
  local full = require("asyncell.view").lines(block)
  H.eq(1 + 50000, #full, "full view lines")
  H.eq("flood 49999", full[#full], "last line")
end)

H.test("re-running a cell replaces its previous output", function()
  local buf = H.open("rerun.py", "# %%\nimport itertools\ncounter = itertools.count(1)\n# %%\nprint('run', next(counter))\n")
  H.cursor_to("counter = itertools")
  vim.cmd("AsyncellRunCell")
  wait_block(buf, "counter = itertools", "✓")
  H.cursor_to("print('run'")
  vim.cmd("AsyncellRunCell")
  wait_block(buf, "print('run'", "run 1")
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "print('run'", "run 2")
  H.not_contains(entry.lines, "run 1")
  H.eq(2, #blocks(buf), "one block per cell")
end)

H.test("a file without markers runs as one cell; a selection runs on its own", function()
  local buf = H.open("script.py", "x = 20\ny = x + 1\nprint('sum', x + y)\n")
  H.cursor_to("y = x + 1")
  vim.cmd("AsyncellRunCell")
  wait_block(buf, "print('sum'", "sum 41")
  vim.cmd("2,2AsyncellRunSelection")
  local entry = wait_block(buf, "y = x + 1", "✓")
  H.contains(entry.lines[1], "selection")
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "print('y is', y)" })
  local last = vim.api.nvim_buf_line_count(buf)
  vim.cmd(last .. "," .. last .. "AsyncellRunSelection")
  wait_block(buf, "print('y is', y)", "y is 21")
end)

H.test("run all stops at an error; run above runs the cells above", function()
  local buf = H.open("all.py", "# %%\nprint('a1')\n# %%\nprint('a2')\n# %%\nraise ValueError('stop here')\n# %%\nprint('never')\n")
  vim.cmd("AsyncellRunAll")
  wait_block(buf, "raise ValueError", "ValueError: stop here")
  H.contains(H.output_text(buf), "a1")
  H.contains(H.output_text(buf), "a2")
  vim.wait(300, function() return false end)
  H.not_contains(H.output_text(buf), "never", "cells after the error")
  H.eq(3, #blocks(buf), "blocks")
  vim.cmd("AsyncellClear")
  H.eq(0, #blocks(buf), "cleared")
  H.cursor_to("print('never')")
  vim.cmd("AsyncellRunAbove")
  wait_block(buf, "raise ValueError", "ValueError")
  H.eq(3, #blocks(buf), "run above ran the three cells above, not the current one")
end)

H.test("an image result appears as a one-line placeholder", function()
  local code = table.concat({
    "# %%",
    "import struct, zlib",
    "class Dot:",
    "    def __repr__(self):",
    "        return '<Dot>'",
    "    def _repr_png_(self):",
    "        raw = b'\\x00\\xff\\x00\\x00' * 1",
    "        def chunk(kind, data):",
    "            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))",
    "        return (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))",
    "                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))",
    "Dot()",
  }, "\n")
  local buf = H.open("image.py", code)
  H.cursor_to("Dot()")
  vim.cmd("AsyncellRunCell")
  local entry = wait_block(buf, "Dot()", "image/png")
  local line
  for i, l in ipairs(entry.lines) do
    if l:find("image/png", 1, true) then
      line = l
      H.eq("AsyncellImage", entry.hls[i][2], "image highlight")
    end
  end
  H.contains(line, "[image/png, 1×1, ")
  H.eq(2, #entry.lines, "header + one placeholder line")
end)

H.test("the statusline shows the loop and busy time while a cell runs", function()
  local buf = H.open("status.py", "# %%\nimport trio\nawait trio.sleep(1.0)\n")
  H.cursor_to("trio.sleep")
  vim.cmd("AsyncellRunCell")
  H.wait("a busy statusline with the loop and elapsed time", function()
    return require("asyncell").status(buf):match("^trio ● busy %d+%.%ds$")
  end)
  wait_block(buf, "trio.sleep", "✓")
  local idle = H.wait("an idle statusline", function()
    local s = require("asyncell").status(buf)
    return s:find("idle", 1, true) and s
  end)
  H.eq("trio ○ idle", idle, "idle statusline")
end)

H.test("the server's code lenses run cells through the plugin, outputs under the cell", function()
  local buf = H.open("lens.py", "# %%\nprint('lens one')\n# %%\nprint('lens two')\n# %%\nprint('lens three')\n")
  local lenses = H.wait("code lenses", function()
    local got = vim.lsp.codelens.get(buf)
    return #got >= 5 and got
  end)
  -- the first cell has only "Run cell": :lua vim.lsp.codelens.run() on its line runs it
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.codelens.run()
  wait_block(buf, "print('lens one')", "lens one")
  -- "Run above" on the third cell runs the first two
  vim.cmd("AsyncellClear")
  local above
  for _, lens in ipairs(lenses) do
    if lens.range.start.line == 4 and lens.command.command == "asyncell.runAbove" then
      above = lens.command
    end
  end
  H.truthy(above, "a Run above lens on the third cell")
  local client = require("asyncell.lsp").client(buf)
  if client.exec_cmd then
    client:exec_cmd(above, { bufnr = buf })
  else
    client.commands[above.command](above, { bufnr = buf })
  end
  wait_block(buf, "print('lens two')", "lens two")
  wait_block(buf, "print('lens one')", "lens one")
  H.eq(2, #blocks(buf), "the third cell did not run")
end)

H.test("a code-cell index past the buffer's cells is refused in 1-based counts, not the index", function()
  local buf = H.open("stale_lens.py", "# %%\nx = 1\n# %% [markdown]\n# hi\n# %%\ny = 2\n")
  local seen = {}
  local real = vim.notify
  vim.notify = function(message, level)
    seen[#seen + 1] = { message, level }
  end
  local ok, err = pcall(require("asyncell.exec").run_code_cell, buf, 7)
  vim.notify = real
  H.truthy(ok, err)
  H.eq({ { "asyncell: no such cell to run: the buffer has 3 cells, 2 of them code", vim.log.levels.WARN } }, seen, "the warning")
  H.eq({}, blocks(buf), "nothing ran")
end)

H.run()
