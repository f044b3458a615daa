-- One cell splitting: the plugin's cells.lua (what ]c, run below and run and advance move
-- over) against the server's own, read back from the real server's "▶ Run cell" code
-- lenses (one per code cell, on its first line, with its 0-based code-cell index). A file
-- without markers has no lenses (a script, not a cell file), so it is not compared here;
-- test_cells_and_rendering.lua checks that it is one cell.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup()

local FILES = {
  ["the server's own example"] = "import trio\n# %% first\nx = 1\n#%% [markdown]\n# hi\n# %%\ny\n",
  ["a blank preamble"] = "\n\n# %%\nx = 1\n",
  ["indented markers and spacing"] = "  # %% indented\nx = 1\n#    %%   spaced\ny = 2\n",
  ["a marker inside a string"] = "x = '# %%'\n# %%\ny = 2\n",
  ["markdown, md and raw cells"] = "# %%\na = 1\n# %% [md]\n# text\n# %% [raw]\nraw\n# %%\nz = 3\n",
  ["three percent signs"] = "# %%% three\nx = 1\n# %%\ny = 2\n",
  ["an empty last cell"] = "# %%\nx = 1\n# %%\n",
}

local function server_cells(buf)
  local client = require("asyncell.lsp").client(buf)
  local reply = client:request_sync("textDocument/codeLens", { textDocument = { uri = vim.uri_from_bufnr(buf) } }, 10000, buf)
  H.truthy(reply and not reply.err, "a codeLens reply")
  local starts = {}
  for _, lens in ipairs(reply.result or {}) do
    if lens.command and lens.command.command == "asyncell.runCell" then
      starts[#starts + 1] = { lens.range.start.line, lens.command.arguments[2] }
    end
  end
  table.sort(starts, function(a, b)
    return a[1] < b[1]
  end)
  return starts
end

local names = vim.tbl_keys(FILES)
table.sort(names)
for i, name in ipairs(names) do
  H.test("code cells agree with the server: " .. name, function()
    local buf = H.open(("cells%d.py"):format(i), FILES[name])
    local plugin = {}
    for index, cell in ipairs(require("asyncell.cells").code_cells(buf)) do
      plugin[#plugin + 1] = { cell.start_row, index - 1 }
    end
    H.eq(server_cells(buf), plugin, "{first row, code-cell index} of each code cell")
  end)
end

H.run()
