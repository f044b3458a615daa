-- Cell splitting (must agree with the server's server/src/analysis/percent.rs) and how
-- outputs are drawn, without a server: notifications are fed to the handler directly.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

require("asyncell").setup({ cmd = { "true" }, filetypes = {}, max_lines = 4, max_background_lines = 100 })
local cells = require("asyncell.cells")
local outputs = require("asyncell.outputs")

local function scratch(lines)
  local buf = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_set_current_buf(buf)
  return buf
end

local function spans(buf)
  return vim.tbl_map(function(c)
    return { c.start_row, c.end_row, c.is_code }
  end, cells.list(buf))
end

H.test("markers split cells like the server, markdown cells are not code", function()
  -- the server's own example: "import trio\n# %% first\nx = 1\n#%% [markdown]\n# hi\n# %%\ny\n"
  local buf = scratch({ "import trio", "# %% first", "x = 1", "#%% [markdown]", "# hi", "# %%", "y" })
  H.eq({ { 0, 0, true }, { 1, 2, true }, { 3, 4, false }, { 5, 6, true } }, spans(buf), "cells")
  H.eq(2, #cells.above(buf, 6), "code cells above the last one")
  H.eq(3, #cells.code_cells(buf), "code cells")
end)

H.test("a blank preamble is not a cell; a file without markers is one cell", function()
  local buf = scratch({ "", "", "# %%", "x" })
  H.eq({ { 2, 3, true } }, spans(buf), "cells")
  H.eq(nil, cells.at(buf, 0), "cell at a blank preamble line")
  buf = scratch({ "import trio", "", "print(1)", "", "" })
  local list = cells.list(buf)
  H.eq({ { 0, 4, true } }, spans(buf), "one cell")
  H.eq(2, list[1].anchor_row, "output goes below the last non-blank line")
  H.truthy(cells.is_marker("  # %% indented"), "indented marker")
  H.truthy(not cells.is_marker("# %autoawait trio"), "magic is not a marker")
  H.truthy(not cells.is_marker("x = '# %%'"), "marker inside a string")
end)

-- Feeds a run through the output path the LSP handler uses.
local function fake_run(buf, cell_row)
  local cell = cells.at(buf, cell_row)
  local id = "fake-" .. cell_row .. "-" .. vim.uv.hrtime()
  local block = outputs.create(buf, id, cell.anchor_row, cell.start_row, cell.end_row)
  outputs.set_status(block, "running")
  return block, id
end

local function notify(id, output, task)
  outputs.on_output({ textDocument = { uri = "file:///x" }, executionId = id, taskId = task, output = output })
end

local function settle()
  vim.wait(50, function()
    return false
  end)
end

H.test("stdout, stderr, results, errors and images render distinctly under the cell", function()
  local buf = scratch({ "# %%", "x = 1", "", "# %%", "y = 2" })
  local block, id = fake_run(buf, 1)
  notify(id, { output_type = "stream", name = "stdout", text = "hel" })
  notify(id, { output_type = "stream", name = "stdout", text = "lo\n" })
  notify(id, { output_type = "stream", name = "stderr", text = "careful\n" })
  -- a 3×2 PNG header (IHDR) is enough for the placeholder's dimensions
  local png = vim.base64.encode("\137PNG\r\n\26\n\0\0\0\13IHDR\0\0\0\3\0\0\0\2\8\2\0\0\0")
  notify(id, { output_type = "display_data", data = { ["image/png"] = png, ["text/plain"] = "<Figure>" } })
  outputs.finish(block, { status = "error", executionCount = 7, durationMs = 12, outputs = {} })
  notify(id, { output_type = "error", ename = "ZeroDivisionError", evalue = "division by zero", traceback = { "Traceback", "  line 1" } })
  settle()
  local out = H.outputs(buf)
  H.eq(1, #out, "one block")
  H.eq(1, out[1].row, "anchored on the cell's last non-blank line")
  local lines = out[1].lines
  H.contains(lines[1], "✗ [7] error 12 ms", "header")
  H.contains(lines[2], "hello", "merged stdout chunks")
  H.eq("AsyncellStdout", out[1].hls[2][2], "stdout highlight")
  H.contains(lines[3], "careful", "stderr")
  H.eq("AsyncellStderr", out[1].hls[3][2], "stderr highlight")
  H.contains(lines[4], "[image/png, 3×2, ", "image placeholder")
  H.contains(lines[4], "<Figure>", "image placeholder names the object")
end)

H.test("long outputs fold to their newest max_lines lines with a count, and errors stay visible", function()
  local buf = scratch({ "# %%", "for i in range(20): print(i)" })
  local block, id = fake_run(buf, 1)
  local text = {}
  for i = 1, 20 do
    text[#text + 1] = "line " .. i
  end
  notify(id, { output_type = "stream", name = "stdout", text = table.concat(text, "\n") .. "\n" })
  notify(id, { output_type = "error", ename = "ValueError", evalue = "bad", traceback = { "tb" } })
  settle()
  local lines = H.outputs(buf)[1].lines
  H.eq(1 + 1 + 3 + 1, #lines, "header + earlier + 3 lines + error")
  H.contains(lines[2], "… 17 earlier lines", "fold marker")
  H.contains(lines[3], "line 18")
  H.contains(lines[5], "line 20", "the newest line")
  H.contains(lines[6], "✗ ValueError: bad", "error")
  -- a background task keeps printing: the error stays, above the newest lines
  for i = 1, 10 do
    notify(id, { output_type = "stream", name = "stdout", text = "tick " .. i .. "\n" }, "t1")
  end
  settle()
  lines = H.outputs(buf)[1].lines
  H.eq(1 + 1 + 1 + 4, #lines, "header + earlier + error + 4 lines")
  H.contains(lines[2], "… 26 earlier lines", "fold marker")
  H.contains(lines[3], "✗ ValueError: bad", "the error stays visible")
  H.contains(lines[4], "[t1] tick 7")
  H.contains(lines[7], "[t1] tick 10", "the newest line")
  -- a partial line (no newline yet) is the newest line too
  notify(id, { output_type = "stream", name = "stdout", text = "progress 50%" }, "t1")
  settle()
  lines = H.outputs(buf)[1].lines
  H.contains(lines[#lines], "[t1] progress 50%", "a line still being written")
  -- the full view has everything, traceback included
  local full = require("asyncell.view").lines(block)
  H.contains(full, "line 1")
  H.contains(full, "line 20")
  H.contains(full, "tb")
end)

H.test("background output is a ring of max_background_lines: the newest stay, memory stays flat", function()
  local buf = scratch({ "# %%", "background.start_soon(chatter)" })
  local block, id = fake_run(buf, 1)
  outputs.finish(block, { status = "ok", executionCount = 1, durationMs = 1, outputs = {} })
  collectgarbage("collect")
  local before_kb = collectgarbage("count")
  for i = 1, 100000 do
    notify(id, { output_type = "stream", name = "stdout", text = ("chatter line %d with some padding to make it longer\n"):format(i) }, "t1")
  end
  settle()
  collectgarbage("collect")
  local grown_kb = collectgarbage("count") - before_kb
  H.say(("   (Lua heap grew %.0f KB over 100000 background lines)"):format(grown_kb))
  -- 100000 lines of ~55 bytes are 5.5 MB; the ring keeps at most 125 of them
  H.truthy(grown_kb < 1024, ("the heap grew %.0f KB"):format(grown_kb))
  local kept = 0
  for _, item in ipairs(block.items) do
    if item.parts then
      kept = kept + require("asyncell.render").stream_count(item)
    end
  end
  H.truthy(kept >= 100 and kept <= 125, ("kept %d lines"):format(kept))
  local lines = H.outputs(buf)[1].lines
  H.contains(lines[#lines], "[t1] chatter line 100000 ", "the newest line is shown")
  H.contains(lines[2], ("… %d earlier lines"):format(100000 - 4), "everything earlier is counted")
  local full = require("asyncell.view").lines(block)
  H.contains(full[2], "earlier lines of background output dropped (max_background_lines = 100)", "the full view says lines were dropped")
  H.contains(full[#full], "chatter line 100000 ")
  H.eq(1 + 1 + kept, #full, "header + dropped note + the kept lines")
end)

H.test("a line wider than the window wraps onto more virtual lines, a huge one is cut", function()
  local buf = scratch({ "# %%", "print(hint)" })
  local _, id = fake_run(buf, 1)
  local hint = "fix: " .. ("await the coroutine; "):rep(9) .. "END"
  notify(id, { output_type = "stream", name = "stdout", text = hint .. "\n" })
  settle()
  local lines = H.outputs(buf)[1].lines
  local gutter = require("asyncell.config").options.gutter
  local width = vim.api.nvim_win_get_width(0) - vim.fn.getwininfo(vim.api.nvim_get_current_win())[1].textoff
  local pieces = {}
  for i = 2, #lines do
    H.truthy(vim.fn.strdisplaywidth(lines[i]) <= width, "each virtual line fits the window: " .. lines[i])
    pieces[#pieces + 1] = lines[i]:sub(#gutter + 1)
  end
  H.eq(math.ceil(#hint / (width - vim.fn.strdisplaywidth(gutter))), #pieces, "pieces")
  H.eq(hint, table.concat(pieces), "the whole hint, END included")
  -- a 100000-character line takes at most max_lines virtual lines
  local _, other = fake_run(buf, 1)
  notify(other, { output_type = "stream", name = "stdout", text = ("x"):rep(100000) .. "\n" })
  settle()
  lines = H.outputs(buf)[1].lines
  H.eq(1 + 4, #lines, "header + max_lines pieces")
  H.truthy(lines[#lines]:find("…$"), "the cut is marked")
  -- narrower windows: the lines are cut again at the new width
  vim.cmd("vsplit")
  settle()
  local narrow = math.max(vim.api.nvim_win_get_width(0), vim.api.nvim_win_get_width(vim.fn.win_getid(vim.fn.winnr("#"))))
  H.truthy(narrow < width, "the windows got narrower")
  H.wait("the lines cut at the new width", function()
    for _, line in ipairs(H.outputs(buf)[1].lines) do
      if vim.fn.strdisplaywidth(line) > narrow then
        return false
      end
    end
    return true
  end, 2000)
  vim.cmd("only")
end)

H.test("the full view shows a Python error line once, after its traceback", function()
  local buf = scratch({ "# %%", "1 / 0" })
  local block, id = fake_run(buf, 1)
  notify(id, {
    output_type = "error",
    ename = "ZeroDivisionError",
    evalue = "division by zero",
    traceback = { "Traceback (most recent call last):\n", '  File "<cell 1>", line 1, in <module>\n    1 / 0\n', "ZeroDivisionError: division by zero\n" },
  })
  settle()
  local full = require("asyncell.view").lines(block)
  local count = 0
  for _, line in ipairs(full) do
    if line:find("ZeroDivisionError: division by zero", 1, true) then
      count = count + 1
    end
  end
  H.eq(1, count, "the error line in:\n" .. table.concat(full, "\n"))
  H.eq("✗ ZeroDivisionError: division by zero", full[#full], "the summary ends the view")
  H.contains(full, "    1 / 0", "the traceback's source line")
end)

H.test("re-running a cell replaces its block; background output follows the cell", function()
  local buf = scratch({ "# %%", "start()", "# %%", "other()" })
  local _, first = fake_run(buf, 1)
  notify(first, { output_type = "stream", name = "stdout", text = "first run\n" })
  local _, other = fake_run(buf, 3)
  notify(other, { output_type = "stream", name = "stdout", text = "other cell\n" })
  local _, second = fake_run(buf, 1)
  notify(second, { output_type = "stream", name = "stdout", text = "second run\n" })
  -- a task started by the first run still writes under its cell
  notify(first, { output_type = "stream", name = "stdout", text = "beat\n" }, "t1")
  -- but the first run's own late output is dropped
  notify(first, { output_type = "stream", name = "stdout", text = "stale\n" })
  settle()
  local out = H.outputs(buf)
  H.eq(2, #out, "one block per cell")
  H.not_contains(out[1].lines, "first run")
  H.contains(out[1].lines, "second run")
  H.contains(out[1].lines, "[t1] beat", "task output under the starting cell")
  H.not_contains(out[1].lines, "stale")
  H.contains(out[2].lines, "other cell")
  vim.cmd("AsyncellClear")
  H.eq(0, #H.outputs(buf), "cleared")
end)

H.run()
