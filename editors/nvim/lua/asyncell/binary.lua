-- Which asyncell binary the plugin starts for a workspace, where that choice came from,
-- and how that binary was installed (for :checkhealth asyncell).
--
-- The order: setup({ cmd = ... }) when the user gave one; else <root>/.venv/bin/asyncell
-- when the user trusts the workspace (a cloned repository can ship any program there, so
-- an untrusted one is passed over, see asyncell.trust); else `asyncell` on $PATH, the way
-- any installed tool is found (pip/uv into the active venv, uv tool, pipx, cargo install).
local M = {}

--- How each origin is named to the user.
M.origin_names = {
  setup = "setup({ cmd = ... })",
  venv = "the trusted workspace's .venv",
  path = "$PATH",
}

--- <root>/.venv/bin/asyncell when it exists and is executable, else nil.
function M.venv_binary(root)
  if not root then
    return nil
  end
  local path = vim.fs.joinpath(root, ".venv", "bin", "asyncell")
  return vim.fn.executable(path) == 1 and path or nil
end

--- Whether two paths are the same file (symlinks resolved).
local function same_file(a, b)
  local ra, rb = a and vim.uv.fs_realpath(a), b and vim.uv.fs_realpath(b)
  return ra ~= nil and ra == rb
end

--- The workspace's .venv/bin/asyncell when trust decides whether it runs: there is one,
--- and $PATH does not lead to it already (a venv the user activated is their choice).
function M.venv_binary_needing_trust(root)
  local venv = M.venv_binary(root)
  if venv and not same_file(venv, vim.fn.exepath("asyncell")) then
    return venv
  end
end

--- The binary for the workspace `root`:
---   argv         what the client starts
---   path         the executable found (nil: none; argv[1] is then what was looked for)
---   origin       "setup" | "venv" | "path"
---   passed_over  the workspace's .venv/bin/asyncell when it was not used because the
---                workspace is not trusted, with `answer` = false (the user said no) or
---                nil (never answered)
function M.resolve(root)
  local config = require("asyncell.config")
  if config.explicit_cmd then
    local argv = vim.deepcopy(config.options.cmd)
    local found = vim.fn.exepath(argv[1])
    return { argv = argv, path = found ~= "" and found or nil, origin = "setup" }
  end
  local choice = { origin = "path" }
  local venv = M.venv_binary_needing_trust(root)
  if venv then
    local answer = require("asyncell.trust").get(root)
    if answer == true then
      return { argv = { venv }, path = venv, origin = "venv" }
    end
    choice.passed_over, choice.answer = venv, answer
  end
  local found = vim.fn.exepath("asyncell")
  choice.path = found ~= "" and found or nil
  -- The absolute path, so the client's cmd (and :checkhealth vim.lsp) shows which one runs.
  choice.argv = { choice.path or "asyncell" }
  return choice
end

local function exists(path)
  return vim.uv.fs_stat(path) ~= nil
end

local function first_line(path)
  local ok, lines = pcall(vim.fn.readfile, path, "", 1)
  return ok and lines[1] and vim.trim(lines[1]) or nil
end

--- What `cargo install` recorded for the asyncell binary in <cargo home>/.crates2.json:
--- "asyncell 0.1.0 from /src/asyncell/server" (or from crates.io, or a git URL).
local function cargo_install_record(cargo_home)
  local ok, lines = pcall(vim.fn.readfile, cargo_home .. "/.crates2.json")
  if not ok then
    return nil
  end
  local decoded, record = pcall(vim.json.decode, table.concat(lines, "\n"))
  if not decoded or type(record) ~= "table" or type(record.installs) ~= "table" then
    return nil
  end
  for package, install in pairs(record.installs) do
    if type(install) == "table" and type(install.bins) == "table" and vim.tbl_contains(install.bins, "asyncell") then
      -- "asyncell 0.1.0 (path+file:///src/asyncell/server)"
      local name, source = package:match("^(.-) %((.*)%)$")
      if not source then
        return package
      end
      source = source:gsub("^path%+file://", ""):gsub("^registry%+.*crates%.io.*", "crates.io"):gsub("^git%+", "")
      return ("%s from %s"):format(name, source)
    end
  end
end

--- How the binary at `path` was installed, read from the files each installer leaves
--- next to what it installs (symlinks resolved first: ~/.local/bin/asyncell of uv tool and
--- pipx points into their environment). nil when the layout is none of theirs.
function M.installation(path)
  local real = vim.uv.fs_realpath(path) or path
  local bin_dir = vim.fs.dirname(real)
  local prefix = vim.fs.dirname(bin_dir)
  if vim.fs.basename(bin_dir) == "bin" then
    if exists(prefix .. "/uv-receipt.toml") then
      return ("uv tool install (its environment %s)"):format(prefix)
    end
    if exists(prefix .. "/pipx_metadata.json") then
      return ("pipx install (its venv %s)"):format(prefix)
    end
    -- pip and uv install the wheel's binary into <prefix>/bin and record the install in
    -- <prefix>/lib/pythonX.Y/site-packages/asyncell-<version>.dist-info/INSTALLER.
    local dist_info = vim.fn.glob(prefix .. "/lib/python*/site-packages/asyncell-*.dist-info", false, true)[1]
    if dist_info then
      local installer = first_line(dist_info .. "/INSTALLER")
      local version = vim.fs.basename(dist_info):match("^asyncell%-(.+)%.dist%-info$") or "?"
      local into = exists(prefix .. "/pyvenv.cfg") and ("the venv " .. prefix) or prefix
      -- INSTALLER says "pip" (pip install) or "uv" (uv pip install, uv sync, uv add).
      return ("%s into %s (asyncell %s)"):format(
        installer and installer ~= "" and installer or "an installer that left no INSTALLER record",
        into,
        version
      )
    end
    local record = cargo_install_record(prefix)
    if record then
      return ("cargo install (%s)"):format(record)
    end
  end
  -- A cargo build output: <target>/<profile>/asyncell next to <target>/<profile>/.fingerprint.
  if vim.fn.isdirectory(bin_dir .. "/.fingerprint") == 1 then
    return ("a cargo build in %s (%s profile)"):format(vim.fs.dirname(bin_dir), vim.fs.basename(bin_dir))
  end
  return nil
end

--- The first line of `<path> --version` ("asyncell 0.1.0"), or nil and the error.
function M.version(path, timeout)
  local ok, proc = pcall(vim.system, { path, "--version" }, { text = true })
  if not ok then
    return nil, tostring(proc)
  end
  local result = proc:wait(timeout or 3000)
  local out = vim.trim(result.stdout or "")
  if result.code ~= 0 or out == "" then
    local err = vim.trim((result.stderr or "") .. out)
    if result.signal and result.signal ~= 0 then
      return nil, ("killed (signal %d; no answer within %d ms?) %s"):format(result.signal, timeout or 3000, err)
    end
    return nil, err ~= "" and err or ("exit code " .. result.code)
  end
  return vim.split(out, "\n", { plain = true })[1]
end

return M
