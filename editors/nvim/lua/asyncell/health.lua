-- :checkhealth asyncell: for each workspace, the server binary (where it came from, how it
-- was installed, its version); then the python the host would run under, and whether
-- trio imports there. Each problem comes with its fix.
local M = {}

local health = vim.health

local function run(argv, timeout)
  local ok, proc = pcall(vim.system, argv, { text = true })
  if not ok then
    return nil, tostring(proc)
  end
  local result = proc:wait(timeout or 10000)
  if result.code ~= 0 then
    local err = vim.trim((result.stderr or "") .. (result.stdout or ""))
    if result.signal and result.signal ~= 0 then
      err = ("killed (signal %d, timeout?) %s"):format(result.signal, err)
    end
    return nil, err ~= "" and err or ("exit code " .. result.code)
  end
  return vim.trim(result.stdout or "")
end

local function shell_join(argv)
  return table.concat(
    vim.tbl_map(function(arg)
      return arg:match("^[%w@%%+=:,./-]+$") and arg or vim.fn.shellescape(arg)
    end, argv),
    " "
  )
end

--- The interpreter argv the server would start the host with, and where it came from.
--- Mirrors the server (server/src/exec/mod.rs choose_python): the `python` setting, else
--- $VIRTUAL_ENV/bin/python, else <workspace>/.venv/bin/python in a trusted workspace,
--- else python3. A pyproject.toml never names it (the server ignores `python` there).
function M.python(buf)
  local config = require("asyncell.config")
  local python = config.options.python
  if python then
    return type(python) == "string" and { python } or python, "setup({ python = ... })"
  end
  buf = buf or vim.api.nvim_get_current_buf()
  local venv = vim.env.VIRTUAL_ENV
  if venv and vim.fn.filereadable(venv .. "/bin/python") == 1 then
    return { venv .. "/bin/python" }, "$VIRTUAL_ENV"
  end
  local client = require("asyncell.lsp").client(buf)
  local root = client and client.root_dir or vim.fs.root(buf, config.options.root_markers)
  if root and vim.fn.filereadable(root .. "/.venv/bin/python") == 1 then
    if require("asyncell.trust").get(root) == true then
      return { root .. "/.venv/bin/python" }, "the workspace's .venv (trusted)"
    end
    return { "python3" }, "the default (python3 on PATH; the workspace's .venv is not trusted: :AsyncellTrust yes)"
  end
  return { "python3" }, "the default (python3 on PATH)"
end

--- The workspaces to report a server binary for: those of running clients and of loaded
--- buffers asyncell serves, else the current directory's.
local function workspaces()
  local lsp = require("asyncell.lsp")
  local trust = require("asyncell.trust")
  local options = require("asyncell.config").options
  local roots = {}
  local function add(root)
    for _, seen in ipairs(roots) do
      if trust.same(seen, root) then
        return
      end
    end
    roots[#roots + 1] = root
  end
  for _, client in ipairs(lsp.clients()) do
    if client.root_dir then
      add(client.root_dir)
    end
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if
      vim.api.nvim_buf_is_loaded(buf)
      and vim.bo[buf].buftype == ""
      and vim.api.nvim_buf_get_name(buf) ~= ""
      and vim.tbl_contains(options.filetypes, vim.bo[buf].filetype)
    then
      add(lsp.root_dir(buf))
    end
  end
  if #roots == 0 then
    add(vim.fs.root(vim.uv.cwd(), options.root_markers) or vim.uv.cwd())
  end
  return roots
end

local install_fixes = {
  "install it: `pip install asyncell` into the venv you work in (or `uv pip install asyncell`),"
    .. " or once for every project: `uv tool install asyncell` / `pipx install asyncell`",
  "from a checkout of asyncell: `cargo install --locked --path server`",
  "or point setup() at it: cmd = { '/path/to/asyncell' }",
}

--- For each workspace: which binary the server is (full path, symlinks resolved), where
--- that choice came from, a .venv binary passed over, how it was installed, its version.
function M.check_binaries()
  local binary = require("asyncell.binary")
  local lsp = require("asyncell.lsp")
  local trust = require("asyncell.trust")
  local versions = {}
  for _, root in ipairs(workspaces()) do
    health.info("workspace " .. root)
    local choice = binary.resolve(root)
    if choice.passed_over then
      local how = (":AsyncellTrust yes in one of its buffers (or trust it when asked) makes %s the server"):format(
        choice.passed_over
      )
      if choice.answer == false then
        health.info(("passed over %s: you chose not to trust this workspace; %s"):format(choice.passed_over, how))
      else
        health.warn(
          ("passed over %s: this workspace is not trusted (never answered), so its .venv is never run"):format(
            choice.passed_over
          ),
          { how }
        )
      end
    end
    if not choice.path then
      if choice.origin == "setup" then
        health.error(("server binary `%s` not found (from setup({ cmd = ... }))"):format(choice.argv[1]), install_fixes)
      else
        health.error("server binary `asyncell` not found on $PATH", install_fixes)
      end
    else
      local real = vim.uv.fs_realpath(choice.path) or choice.path
      local via = real ~= choice.path and (", via the symlink " .. choice.path) or ""
      health.ok(("server binary: %s (from %s%s)"):format(real, binary.origin_names[choice.origin], via))
      local installed = binary.installation(real)
      if installed then
        health.ok("installed by: " .. installed)
      else
        health.info(("installed by: unknown (not a pip, uv, pipx, cargo install or cargo build layout: %s)"):format(
          vim.fs.dirname(real)
        ))
      end
      if versions[real] == nil then
        local version, err = binary.version(real)
        versions[real] = version and { version } or { nil, err }
      end
      local version, err = unpack(versions[real], 1, 2)
      if version then
        health.ok("version: " .. version)
      else
        health.error(("`%s --version` failed: %s"):format(real, err), {
          "reinstall asyncell (`pip install --force-reinstall asyncell`, `uv tool install --reinstall asyncell`)"
            .. " or rebuild it (`cargo install --locked --path server`)",
        })
      end
    end
    for _, client in ipairs(lsp.clients()) do
      if trust.same(client.root_dir, root) then
        local cmd = client.config.cmd
        health.info(("client %d running: %s"):format(
          client.id,
          type(cmd) == "table" and shell_join(cmd) or tostring(cmd)
        ))
      end
    end
  end
  for _, client in ipairs(lsp.clients()) do
    if not client.root_dir then
      health.info(("client %d running, no root (single file)"):format(client.id))
    end
  end
  if #lsp.clients() == 0 then
    health.info("no asyncell client is running (open a python file after setup())")
  end
end

function M.check()
  local config = require("asyncell.config")
  local options = config.options

  health.start("Neovim")
  local v = vim.version()
  local version = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.10") == 0 then
    health.error("Neovim " .. version .. " is too old", { "asyncell needs Neovim 0.10 or later" })
  else
    health.ok("Neovim " .. version)
  end
  if require("asyncell")._configured then
    health.ok("setup() was called")
  else
    health.warn("require('asyncell').setup() has not been called: the server will not start", {
      "call require('asyncell').setup() in your config (lazy.nvim: `opts = {}`)",
    })
  end

  health.start("Language server")
  M.check_binaries()

  health.start("Python host")
  local argv, source = M.python()
  -- The running server's own answer, when a buffer is attached.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local client = vim.api.nvim_buf_is_loaded(buf) and require("asyncell.lsp").client(buf)
    if client then
      local params = { textDocument = { uri = vim.uri_from_bufnr(buf) } }
      local ok, response
      if require("asyncell.lsp").modern then
        ok, response = pcall(client.request_sync, client, "asyncell/status", params, 2000, buf)
      else
        ok, response = pcall(client.request_sync, "asyncell/status", params, 2000, buf)
      end
      local result = ok and response and response.result
      if type(result) == "table" and type(result.python) == "string" then
        health.info(("the server runs %s's host with: %s (%s loop, host %s)"):format(
          vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":t"),
          result.python,
          tostring(result.loop),
          tostring(result.state)
        ))
      end
      break
    end
  end
  local shown = shell_join(argv)
  local fix_python = {
    "set the interpreter: require('asyncell').setup({ python = '/path/to/venv/bin/python' })",
    "or activate a virtualenv ($VIRTUAL_ENV), or create .venv in the project root",
  }
  local exe = argv[1]
  if vim.fn.executable(exe) == 0 then
    health.error(("python `%s` (from %s) is not executable"):format(shown, source), fix_python)
    return
  end
  local info, err = run(vim.list_extend(vim.deepcopy(argv), {
    "-c",
    "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])",
  }))
  if not info then
    health.error(("python `%s` (from %s) does not run: %s"):format(shown, source, err), fix_python)
    return
  end
  local executable, pyversion = unpack(vim.split(info, "\n", { trimempty = true }))
  local major, minor = (pyversion or ""):match("^(%d+)%.(%d+)")
  if not major or tonumber(major) < 3 or (tonumber(major) == 3 and tonumber(minor) < 10) then
    health.error(("python: %s (from %s) is Python %s; asyncell needs 3.10+"):format(shown, source, pyversion or "?"), fix_python)
  else
    health.ok(("python: %s (from %s) → %s, Python %s"):format(shown, source, executable or "?", pyversion))
  end
  local trio, trio_err = run(vim.list_extend(vim.deepcopy(argv), { "-c", "import trio; print(trio.__version__)" }))
  if trio then
    health.ok("trio " .. trio .. " imports there")
  else
    local fix = { ("install it: %s -m pip install trio"):format(shown) }
    local last = vim.split(trio_err or "", "\n", { trimempty = true })
    local reason = last[#last] or "import failed"
    if options.loop == "asyncio" then
      health.warn("trio does not import (" .. reason .. "); fine with loop = 'asyncio'", fix)
    else
      health.error("trio does not import there: " .. reason, fix)
    end
  end
end

return M
