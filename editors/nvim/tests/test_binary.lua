-- Which asyncell binary is the server when setup() has no `cmd`: the workspace's
-- .venv/bin/asyncell when the user trusts the workspace, else `asyncell` on $PATH; an
-- explicit cmd always wins. And what :checkhealth says about it: the full path, where the
-- choice came from, how it was installed and its version. The layouts are built the way
-- pip, uv tool, pipx and cargo install leave them, each with the real binary in it, so
-- what runs (/proc/<pid>/exe) and what `--version` prints are real.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

local lsp = require("asyncell.lsp")
local base = (vim.env.ASYNCELL_TEST_TMP or vim.fn.tempname()) .. "/layouts"
local version = H.bin_version()

-- `uv tool install asyncell`: the tool environment with its receipt, and the symlink in
-- ~/.local/bin, which is on $PATH.
local home = base .. "/home"
local uv_tool = home .. "/.local/share/uv/tools/asyncell"
H.install_binary(uv_tool .. "/bin/asyncell")
vim.fn.writefile({ "home = /usr/bin", "version = 3.11.2" }, uv_tool .. "/pyvenv.cfg")
vim.fn.writefile({
  "[tool]",
  'requirements = [{ name = "asyncell" }]',
  "entrypoints = [",
  ('    { name = "asyncell", install-path = "%s/.local/bin/asyncell" },'):format(home),
  "]",
}, uv_tool .. "/uv-receipt.toml")
vim.fn.mkdir(home .. "/.local/bin", "p")
assert(vim.uv.fs_symlink(uv_tool .. "/bin/asyncell", home .. "/.local/bin/asyncell"))
local system_path = vim.env.PATH
vim.env.PATH = home .. "/.local/bin:" .. system_path

-- No `cmd`: the binary is the plugin's choice. The python is fixed so only the binary
-- depends on trust here.
local function setup_without_cmd()
  require("asyncell").setup({ python = H.python, status_interval = 300 })
end
setup_without_cmd()

local questions = {}
local answer = "trust" -- or "distrust", or "dismiss" (the picker closed without a choice)
vim.ui.select = function(items, opts, on_choice)
  questions[#questions + 1] = { prompt = opts.prompt, items = items }
  vim.schedule(function()
    if answer == "dismiss" then
      on_choice(nil, nil)
    else
      local index = answer == "trust" and 1 or 2
      on_choice(items[index], index)
    end
  end)
end

local notes = {}
local notify = vim.notify
vim.notify = function(message, level, opts)
  notes[#notes + 1] = message
  return notify(message, level, opts)
end

local function ok_lines(lines)
  return table.concat(H.matching(lines, "OK"), "\n")
end

H.test("a trusted workspace's .venv/bin/asyncell is the server; checkhealth says so", function()
  local dir = H.project()
  local venv_bin = H.venv_with_asyncell(dir, "pip")
  answer = "trust"
  local buf = H.open("a.py", "x = 1\n", dir)
  H.eq(1, #questions, "questions asked")
  H.contains(questions[1].items[1], "start the server from " .. venv_bin, "the trust choice names the binary")
  H.contains(questions[1].items[2], "start asyncell from $PATH", "the other choice")
  H.eq({ venv_bin }, lsp.client(buf).config.cmd, "the client's cmd")
  H.truthy(H.running_executables()[venv_bin], "a process runs " .. venv_bin)
  local lines = H.checkhealth()
  local ok = ok_lines(lines)
  H.contains(ok, ("server binary: %s (from the trusted workspace's .venv)"):format(venv_bin))
  H.contains(ok, ("installed by: pip into the venv %s/.venv (asyncell 0.1.0)"):format(dir))
  H.contains(ok, "version: " .. version)
  H.contains(table.concat(lines, "\n"), ("client %d running: %s"):format(lsp.client(buf).id, venv_bin))
end)

H.test("an untrusted workspace's .venv binary never runs: the one on $PATH does", function()
  local dir = H.project()
  local venv_bin = H.venv_with_asyncell(dir, "uv")
  answer = "distrust"
  local buf = H.open("b.py", "x = 2\n", dir)
  H.eq(2, #questions, "questions asked")
  H.eq({ home .. "/.local/bin/asyncell" }, lsp.client(buf).config.cmd, "the client's cmd")
  local running = H.running_executables()
  H.eq(nil, running[venv_bin], "a process of the untrusted " .. venv_bin)
  H.truthy(running[uv_tool .. "/bin/asyncell"], "the uv tool's binary runs")
  local lines = H.checkhealth()
  local ok = ok_lines(lines)
  H.contains(ok, ("server binary: %s/bin/asyncell (from $PATH, via the symlink %s/.local/bin/asyncell)"):format(uv_tool, home))
  H.contains(ok, ("installed by: uv tool install (its environment %s)"):format(uv_tool))
  H.contains(ok, "version: " .. version)
  H.contains(
    table.concat(lines, "\n"),
    ("passed over %s: you chose not to trust this workspace; :AsyncellTrust yes"):format(venv_bin)
  )
end)

H.test("a dismissed question passes the .venv over with a warning; :AsyncellTrust yes|no switches the server", function()
  local dir = H.project()
  local venv_bin = H.venv_with_asyncell(dir, "pip")
  answer = "dismiss"
  local buf = H.open("c.py", "x = 3\n", dir)
  H.eq(3, #questions, "questions asked")
  local old = lsp.client(buf)
  H.eq({ home .. "/.local/bin/asyncell" }, old.config.cmd, "the client's cmd before trusting")
  local warnings = table.concat(H.matching(H.checkhealth(), "WARNING"), "\n")
  H.contains(warnings, ("passed over %s: this workspace is not trusted (never answered)"):format(venv_bin))
  vim.cmd("AsyncellTrust yes")
  H.contains(notes[#notes], "restarting its server on " .. venv_bin, "what :AsyncellTrust said")
  local new = H.wait("a client on the .venv binary", function()
    local client = lsp.client(buf)
    return client and client.id ~= old.id and client.initialized and client
  end)
  H.eq({ venv_bin }, new.config.cmd, "the client's cmd after trusting")
  H.eq(nil, vim.lsp.get_client_by_id(old.id), "the old client")
  H.truthy(H.running_executables()[venv_bin], "a process runs " .. venv_bin)
  H.eq(3, #questions, "no new question")
  -- And back: without trust the server is the $PATH one again.
  vim.cmd("AsyncellTrust no")
  H.contains(notes[#notes], "restarting its server on " .. home .. "/.local/bin/asyncell", "what :AsyncellTrust said")
  local back = H.wait("a client on the $PATH binary", function()
    local client = lsp.client(buf)
    return client and client.id ~= new.id and client.initialized and client
  end)
  H.eq({ home .. "/.local/bin/asyncell" }, back.config.cmd, "the client's cmd after taking trust back")
  H.wait("the .venv server to exit", function()
    return not H.running_executables()[venv_bin]
  end)
end)

H.test("no usable binary: the user is told what to install and what was passed over", function()
  local empty = base .. "/empty-bin"
  vim.fn.mkdir(empty, "p")
  vim.env.PATH = empty
  local ok, err = pcall(function()
    local dir = H.project()
    local venv_bin = H.venv_with_asyncell(dir, "pip")
    answer = "distrust"
    vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/d.py"))
    local buf = vim.api.nvim_get_current_buf()
    local note = H.wait("the warning", function()
      for _, message in ipairs(notes) do
        if message:find(venv_bin, 1, true) and message:find("no `asyncell` on $PATH", 1, true) then
          return message
        end
      end
    end)
    H.contains(note, "pip install asyncell")
    H.contains(note, "is not trusted (:AsyncellTrust yes)")
    H.eq(nil, lsp.client(buf), "a client without a binary")
    local lines = H.checkhealth()
    local errors = table.concat(H.matching(lines, "ERROR"), "\n")
    H.contains(errors, "server binary `asyncell` not found on $PATH")
    local text = table.concat(lines, "\n")
    H.contains(text, "`pip install asyncell` into the venv you work in")
    H.contains(text, "`cargo install --locked --path server`")
    H.contains(text, "passed over " .. venv_bin)
    -- Trusting the workspace starts a server from its .venv, though none ran before.
    vim.cmd("AsyncellTrust yes")
    local client = H.wait("a client on the .venv binary", function()
      local c = lsp.client(buf)
      return c and c.initialized and c
    end)
    H.eq({ venv_bin }, client.config.cmd, "the client's cmd")
  end)
  vim.env.PATH = home .. "/.local/bin:" .. system_path
  assert(ok, err)
end)

H.test("an activated .venv is the user's choice: its asyncell runs from $PATH, no question", function()
  local dir = H.project()
  local venv_bin = H.venv_with_asyncell(dir, "uv")
  vim.env.PATH = dir .. "/.venv/bin:" .. vim.env.PATH
  local ok, err = pcall(function()
    local asked = #questions
    local buf = H.open("activated.py", "x = 6\n", dir)
    H.eq(asked, #questions, "no question: trust does not choose the binary")
    H.eq({ venv_bin }, lsp.client(buf).config.cmd, "the client's cmd")
    local lines = H.checkhealth()
    H.contains(ok_lines(lines), ("server binary: %s (from $PATH)"):format(venv_bin))
    H.contains(ok_lines(lines), ("installed by: uv into the venv %s/.venv (asyncell 0.1.0)"):format(dir))
    H.not_contains(lines, "passed over " .. venv_bin)
  end)
  vim.env.PATH = home .. "/.local/bin:" .. system_path
  assert(ok, err)
end)

H.test("an explicit cmd wins over a trusted .venv", function()
  require("asyncell").setup({ cmd = { H.bin }, python = H.python, status_interval = 300 })
  local dir = H.project()
  local venv_bin = H.venv_with_asyncell(dir, "pip")
  require("asyncell.trust").set(dir, true)
  local asked = #questions
  local buf = H.open("e.py", "x = 5\n", dir)
  H.eq(asked, #questions, "no question: trust does not choose the binary")
  H.eq({ H.bin }, lsp.client(buf).config.cmd, "the client's cmd")
  H.eq(nil, H.running_executables()[venv_bin], "a process of the .venv binary")
  local ok = ok_lines(H.checkhealth())
  H.contains(ok, ("server binary: %s (from setup({ cmd = ... }))"):format(H.bin))
  H.contains(ok, ("installed by: a cargo build in %s (debug profile)"):format(vim.fs.dirname(vim.fs.dirname(H.bin))))
end)

H.test("checkhealth names pipx and cargo install layouts", function()
  -- `pipx install asyncell`: a venv with pipx's metadata, linked from ~/.local/bin.
  local pipx_home = base .. "/pipx-home"
  local pipx_venv = pipx_home .. "/.local/pipx/venvs/asyncell"
  H.install_binary(pipx_venv .. "/bin/asyncell")
  vim.fn.writefile({ '{"main_package": {"package": "asyncell"}, "pipx_metadata_version": "0.5"}' }, pipx_venv .. "/pipx_metadata.json")
  vim.fn.mkdir(pipx_home .. "/.local/bin", "p")
  assert(vim.uv.fs_symlink(pipx_venv .. "/bin/asyncell", pipx_home .. "/.local/bin/asyncell"))
  require("asyncell").setup({ cmd = { pipx_home .. "/.local/bin/asyncell" }, python = H.python })
  local ok = ok_lines(H.checkhealth())
  H.contains(ok, ("server binary: %s/bin/asyncell (from setup({ cmd = ... }), via the symlink %s/.local/bin/asyncell)"):format(pipx_venv, pipx_home))
  H.contains(ok, ("installed by: pipx install (its venv %s)"):format(pipx_venv))
  H.contains(ok, "version: " .. version)

  -- `cargo install --locked --path server`: $CARGO_HOME/bin/asyncell and cargo's record.
  local cargo_home = base .. "/cargo-home"
  H.install_binary(cargo_home .. "/bin/asyncell")
  vim.fn.writefile({
    vim.json.encode({
      installs = {
        ["asyncell 0.1.0 (path+file:///src/asyncell/server)"] = {
          bins = { "asyncell" },
          profile = "release",
        },
      },
    }),
  }, cargo_home .. "/.crates2.json")
  require("asyncell").setup({ cmd = { cargo_home .. "/bin/asyncell" }, python = H.python })
  ok = ok_lines(H.checkhealth())
  H.contains(ok, ("server binary: %s/bin/asyncell (from setup({ cmd = ... }))"):format(cargo_home))
  H.contains(ok, "installed by: cargo install (asyncell 0.1.0 from /src/asyncell/server)")
  H.contains(ok, "version: " .. version)
end)

H.run()
