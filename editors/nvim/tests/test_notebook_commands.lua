-- Notebook-style work on the real host: keymaps that exist as soon as a python buffer
-- opens (a key typed before the server attaches runs, it is not typed into the buffer),
-- run and advance, run below, restart and run all, and the ]c / [c cell motions.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup({ keymaps = true })

local CELLS = table.concat({
  "# %%",
  "import itertools",
  "runs = itertools.count(1)",
  "print('first cell')",
  "",
  "# %% [markdown]",
  "# some prose",
  "",
  "# %%",
  "print('second code cell', next(runs))",
  "",
  "# %%",
  "print('third code cell')",
}, "\n")

local function row()
  return vim.api.nvim_win_get_cursor(0)[1]
end

local function lines(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

local function blocks(buf)
  return #H.outputs(buf)
end

H.test("keymaps are there when the buffer opens; <leader>ar typed before the server attaches runs the cell", function()
  local dir = H.project()
  local path = dir .. "/early.py"
  vim.fn.writefile({ "# %%", "print('ran from an early key')" }, path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  H.truthy(not require("asyncell.lsp").ready(buf), "the server has not attached yet (else this proves nothing)")
  local maps = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(buf, "n")) do
    maps[map.lhs] = map.rhs or "<function>"
  end
  H.eq("<Cmd>AsyncellRunCell<CR>", maps["\\ar"], "<leader>ar in the new buffer")
  H.truthy(maps["]c"] and maps["[c"], "]c and [c in the new buffer")
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.api.nvim_feedkeys(vim.keycode("\\ar"), "mx", false)
  H.eq({ "# %%", "print('ran from an early key')" }, lines(buf), "the buffer's text (the key did not insert anything)")
  H.eq("n", vim.api.nvim_get_mode().mode, "still in Normal mode")
  local entry = H.wait("the early run's output", function()
    local e = H.block_below(buf, "print('ran from an early key')")
    local text = e and table.concat(e.lines, "\n") or ""
    return text:find("│ ran from an early key", 1, true) and text:find("✓", 1, true) and e
  end)
  H.contains(entry.lines[1], "✓", "the run finished")
end)

H.test("]c and [c move between cells (markdown ones too), with a count", function()
  local buf = H.open("motions.py", CELLS)
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.api.nvim_feedkeys("]c", "mx", false)
  H.eq(7, row(), "]c: the markdown cell's first line")
  vim.api.nvim_feedkeys("2]c", "mx", false)
  H.eq(13, row(), "2]c: two cells down, the last cell's first line")
  vim.api.nvim_feedkeys("]c", "mx", false)
  H.eq(13, row(), "]c in the last cell stays")
  vim.api.nvim_feedkeys("[c", "mx", false)
  H.eq(10, row(), "[c: the cell above")
  vim.cmd("AsyncellPrevCell")
  H.eq(7, row(), ":AsyncellPrevCell")
  vim.cmd("3AsyncellNextCell")
  H.eq(13, row(), ":3AsyncellNextCell")
  vim.api.nvim_feedkeys("''", "mx", false)
  H.eq(7, row(), "'' goes back: the motion is a jump")
  H.eq(0, blocks(buf), "motions run nothing")
end)

H.test("run and advance runs the cell and puts the cursor in the next one", function()
  local buf = H.open("advance.py", CELLS)
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.cmd("AsyncellRunAndAdvance")
  H.eq(7, row(), "the cursor is in the next cell")
  H.wait_output(buf, "first cell")
  -- from the markdown cell: it is not run, the cursor still advances
  vim.cmd("AsyncellRunAndAdvance")
  H.eq(10, row(), "past the markdown cell")
  vim.api.nvim_feedkeys(vim.keycode("\\an"), "mx", false)
  H.eq(13, row(), "<leader>an advances too")
  H.wait_output(buf, "second code cell 1")
  vim.cmd("AsyncellRunAndAdvance")
  H.eq(13, row(), "the last cell: the cursor stays")
  H.wait_output(buf, "third code cell")
  H.eq(3, blocks(buf), "three code cells ran")
end)

H.test("run below runs the cursor's cell and the ones below it, not those above", function()
  local buf = H.open("below.py", CELLS)
  H.cursor_to("import itertools")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "first cell")
  vim.cmd("AsyncellClear")
  H.cursor_to("print('second code cell'")
  vim.cmd("AsyncellRunBelow")
  H.wait_output(buf, "third code cell")
  local text = H.output_text(buf)
  H.contains(text, "second code cell 1")
  H.not_contains(text, "first cell", "the cell above")
  H.eq(2, blocks(buf), "two blocks")
end)

H.test("restart and run all: a fresh host, then every cell in order", function()
  local buf = H.open("fresh.py", CELLS)
  H.cursor_to("print('second code cell'")
  vim.cmd("AsyncellRunAll")
  H.wait_output(buf, "third code cell")
  H.contains(H.output_text(buf), "second code cell 1")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "second code cell 2")
  local pid = H.wait("the host's pid", function()
    local s = require("asyncell.status").get(buf)
    return s and s.pid ~= vim.NIL and s.pid
  end)
  vim.cmd("AsyncellRestartRunAll")
  -- `runs` counts from 1 again: the cells ran in a new interpreter, first cell first
  local text = H.wait("the old outputs replaced by a fresh run of every cell", function()
    local t = H.output_text(buf)
    return not t:find("second code cell 2", 1, true) and t:find("│ third code cell", 1, true) and t
  end, 30000)
  H.contains(text, "second code cell 1", "the counter starts over")
  H.contains(text, "✓ [1]", "execution counts start over")
  H.eq(3, blocks(buf), "one block per code cell")
  local new_pid = H.wait("a new host pid", function()
    require("asyncell.status").refresh(buf, true)
    local s = require("asyncell.status").get(buf)
    return s and s.pid ~= vim.NIL and s.pid ~= pid and s.pid
  end)
  H.truthy(new_pid ~= pid, "a new host process")
end)

H.run()
