-- The Neovim 0.10 code path (vim.lsp.start on FileType, client.request), forced on
-- whatever Neovim runs the suite: diagnostics and a cell run must work the same.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

require("asyncell.lsp").modern = false
-- a python buffer already open before setup() gets the server too
local dir = H.project()
vim.fn.writefile({ "# %%", "import asyncio", "asyncio.run(asyncio.sleep(0))" }, dir .. "/early.py")
vim.cmd("edit " .. dir .. "/early.py")
local early = vim.api.nvim_get_current_buf()
H.setup()

H.test("0.10 path: a buffer opened before setup() gets diagnostics", function()
  H.wait("LOOP200 in the early buffer", function()
    for _, d in ipairs(vim.diagnostic.get(early)) do
      if d.code == "LOOP200" then
        return true
      end
    end
  end)
  local client = require("asyncell.lsp").client(early)
  H.eq(vim.fs.normalize(dir), vim.fs.normalize(client.root_dir), "root_dir")
  H.eq(false, vim.lsp.is_enabled ~= nil and vim.lsp.is_enabled("asyncell"), "vim.lsp.enable not used")
end)

H.test("0.10 path: running a cell draws its output", function()
  local buf = H.open("run.py", "# %%\nprint('legacy', 6 * 7)\n", dir)
  H.cursor_to("legacy")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "legacy 42")
  H.wait_output(buf, "✓")
  H.eq(1, #require("asyncell.lsp").clients(), "one client shared by both buffers")
end)

H.test("0.10 path: without cmd, a trusted workspace's .venv/bin/asyncell is the server", function()
  require("asyncell").setup({ python = H.python, status_interval = 300 })
  local trusted = H.project()
  local venv_bin = H.venv_with_asyncell(trusted, "pip")
  require("asyncell.trust").set(trusted, true)
  local buf = H.open("venv.py", "x = 1\n", trusted)
  H.eq({ venv_bin }, require("asyncell.lsp").client(buf).config.cmd, "the client's cmd")
  H.truthy(H.running_executables()[venv_bin], "a process runs " .. venv_bin)
end)

H.run()
