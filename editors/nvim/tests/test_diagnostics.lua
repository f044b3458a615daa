-- Diagnostics from the real server in a `# %%` file, as vim.diagnostic sees them.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup()

local CELLS = table.concat({
  "# %%",
  "import asyncio",
  "",
  "async def main():",
  "    return 42",
  "",
  "# %%",
  "result = asyncio.run(main())",
  "",
}, "\n")

local function loop200(buf)
  return vim.tbl_filter(function(d)
    return d.code == "LOOP200"
  end, vim.diagnostic.get(buf))
end

H.test("a nested loop run at cell top level is reported as LOOP200 on its line", function()
  local buf = H.open("cells.py", CELLS)
  local found = H.wait("the LOOP200 diagnostic", function()
    return #loop200(buf) > 0 and loop200(buf)
  end)
  H.eq(1, #found, "LOOP200 count")
  local d = found[1]
  H.eq(7, d.lnum, "line (0-based) of asyncio.run")
  H.eq(vim.diagnostic.severity.ERROR, d.severity, "severity")
  H.eq("asyncell", d.source, "source")
  H.contains(d.message, "asyncio.run()", "message")
  -- the range covers the call
  local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1]
  H.eq("asyncio.run(main())", line:sub(d.col + 1, d.end_col), "diagnostic range text")
end)

H.test("the README's vim.diagnostic.config shows the message as inline text", function()
  -- the exact snippet the README gives (its lua block that calls vim.diagnostic.config)
  local readme = table.concat(vim.fn.readfile(H.root .. "/editors/nvim/README.md"), "\n")
  local snippet
  for block in readme:gmatch("```lua\n(.-)```") do
    if block:find("vim.diagnostic.config", 1, true) then
      snippet = block
    end
  end
  H.truthy(snippet, "the README has a vim.diagnostic.config snippet")
  local saved = vim.diagnostic.config()
  assert(loadstring(snippet))()
  local buf = H.open("inline.py", CELLS)
  H.wait("the LOOP200 diagnostic", function()
    return #loop200(buf) > 0
  end)
  vim.cmd("redraw")
  -- what is drawn at the end of the asyncio.run line: the diagnostic's virtual text
  local text = H.wait("virtual text on the asyncio.run line", function()
    for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, -1, { 7, 0 }, { 7, -1 }, { details = true })) do
      local chunks = mark[4].virt_text
      if chunks and mark[4].virt_text_pos == "eol" then
        local line = table.concat(vim.tbl_map(function(c)
          return c[1]
        end, chunks))
        if line:find("asyncio.run()", 1, true) then
          return line
        end
      end
    end
  end, 5000)
  H.contains(text, "■", "the configured prefix")
  vim.diagnostic.config(saved)
end)

H.test("fixing the cell in the buffer clears the diagnostic (incremental sync)", function()
  local buf = H.open("fixme.py", CELLS)
  H.wait("the LOOP200 diagnostic", function()
    return #loop200(buf) > 0
  end)
  vim.api.nvim_buf_set_lines(buf, 7, 8, false, { "result = await main()" })
  H.wait("the diagnostic to go away", function()
    return #loop200(buf) == 0
  end)
  -- and coming back when the mistake is re-introduced in another cell
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "# %%", "asyncio.run(main())" })
  local row = vim.api.nvim_buf_line_count(buf) - 1
  local found = H.wait("LOOP200 in the new cell", function()
    return #loop200(buf) > 0 and loop200(buf)
  end)
  H.eq(row, found[1].lnum, "line of the new mistake")
end)

H.test("a plain script (no markers) may call asyncio.run at module level", function()
  local buf = H.open("script.py", "import asyncio\n\nasync def main():\n    return 1\n\nasyncio.run(main())\nawait main()\n")
  -- LOOP100 (top-level await in a script) proves the file was analysed...
  H.wait("LOOP100 on the top-level await", function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == "LOOP100" then
        return true
      end
    end
  end)
  -- ...and asyncio.run in a script is fine.
  H.eq(0, #loop200(buf), "LOOP200 in a script")
end)

H.test("the client's root is the directory with pyproject.toml", function()
  local dir = H.project()
  vim.fn.mkdir(dir .. "/pkg", "p")
  local buf = H.open("pkg/nested.py", CELLS, dir)
  local client = require("asyncell.lsp").client(buf)
  H.eq(vim.fs.normalize(dir), vim.fs.normalize(client.root_dir), "root_dir")
end)

H.test("the statusline is empty where asyncell is not attached, and shows the loop where it is", function()
  local buf = H.open("status.py", CELLS)
  H.truthy(require("asyncell").status(buf) ~= "", "status in a python buffer")
  vim.cmd("enew")
  H.eq("", require("asyncell").status(), "status in a scratch buffer")
  vim.cmd("buffer " .. buf)
end)

H.test("a second setup() sends the new settings to the running server", function()
  local buf = H.open("settings.py", CELLS)
  local status = require("asyncell.status")
  local function python()
    local got
    status.refresh(buf, true, function(_, result)
      got = result and result.python
    end)
    H.wait("asyncell/status", function()
      return got
    end)
    return got
  end
  H.eq(H.python, python(), "python before")
  local client = require("asyncell.lsp").client(buf)
  H.setup({ python = { H.python, "-X", "dev" } })
  H.wait("the new python in the server's status", function()
    return python() == H.python .. " -X dev"
  end)
  H.eq(client.id, require("asyncell.lsp").client(buf).id, "the client was kept")
  H.setup()
end)

H.run()
