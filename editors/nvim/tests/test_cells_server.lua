-- One cell splitting: the plugin's cells.lua (what ]c, run below and run and advance move
-- over) against the shared fixture set tests/clients/cells.json and the server's own
-- splitting, read back from the real server's "▶ Run cell" code lenses (one per code
-- cell, on its first line, with its 0-based code-cell index). A file without markers has
-- no lenses (a script, not a cell file); the fixture says it is one cell.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup()

-- The fixture set every client's cell helper is checked against (the server is, in
-- tests/e2e/test_cell_splits.py): {name, text, cells = {{first row, "code"|"markdown"}}}.
local ROOT = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
local FIXTURES = vim.json.decode(table.concat(vim.fn.readfile(ROOT .. "/tests/clients/cells.json"), "\n")).files

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

for i, fixture in ipairs(FIXTURES) do
  H.test("cells agree with the shared fixtures and the server: " .. fixture.name, function()
    local buf = H.open(("cells%d.py"):format(i), fixture.text)
    local all, plugin = {}, {}
    for _, cell in ipairs(require("asyncell.cells").list(buf)) do
      all[#all + 1] = { cell.start_row, cell.is_code and "code" or "markdown" }
    end
    H.eq(fixture.cells, all, "{first row, kind} of each cell, as tests/clients/cells.json says")
    for index, cell in ipairs(require("asyncell.cells").code_cells(buf)) do
      plugin[#plugin + 1] = { cell.start_row, index - 1 }
    end
    -- A file without markers is a script to the server: no lenses.
    local has_markers = false
    for _, cell in ipairs(require("asyncell.cells").list(buf)) do
      has_markers = has_markers or cell.marker
    end
    H.eq(has_markers and plugin or {}, server_cells(buf), "{first row, code-cell index} of each code cell")
  end)
end

H.run()
