-- Workspace trust: whether a workspace's own .venv may run: its .venv/bin/python for
-- cells, and its .venv/bin/asyncell as the language server.
--
-- A cloned repository can ship any program in .venv/bin, so the server runs the .venv
-- python only when the client says the user trusts the workspace (`trustedWorkspace` in
-- initializationOptions / didChangeConfiguration, docs/protocol.md), and the plugin starts
-- the .venv asyncell only then (asyncell.binary). The plugin asks once per workspace root,
-- before the first server starts there, when the answer matters (a .venv python and no
-- `python` option, or a .venv asyncell and no `cmd` option), and remembers the answer in
-- stdpath("state")/asyncell/trust.json.
local M = {}

--- The file the answers are kept in: { [root] = true | false }.
function M.file()
  return vim.fs.joinpath(vim.fn.stdpath("state"), "asyncell", "trust.json")
end

--- The canonical form of a root, so /a/b and /a/b/ (or a symlink) are one workspace.
local function key(root)
  return vim.uv.fs_realpath(root) or vim.fs.normalize(root)
end

--- Whether two roots are the same workspace.
function M.same(a, b)
  return a ~= nil and b ~= nil and key(a) == key(b)
end

local function load()
  local ok, lines = pcall(vim.fn.readfile, M.file())
  if not ok or #lines == 0 then
    return {}
  end
  local decoded_ok, answers = pcall(vim.json.decode, table.concat(lines, "\n"))
  return decoded_ok and type(answers) == "table" and answers or {}
end

--- The remembered answer for `root`: true, false, or nil (never asked).
function M.get(root)
  if not root then
    return nil
  end
  local answer = load()[key(root)]
  if type(answer) == "boolean" then
    return answer
  end
end

--- Remembers the answer for `root` (written to a temporary file, then renamed).
function M.set(root, trusted)
  local answers = load()
  answers[key(root)] = trusted
  local file = M.file()
  vim.fn.mkdir(vim.fs.dirname(file), "p")
  local tmp = file .. ".tmp"
  vim.fn.writefile({ vim.json.encode(answers) }, tmp)
  vim.uv.fs_rename(tmp, file)
end

--- The workspace's .venv interpreter when trust decides whether it runs: there is one,
--- and the user has not chosen an interpreter themselves. nil otherwise.
function M.venv_python(root)
  if not root or require("asyncell.config").options.python ~= nil then
    return nil
  end
  local python = vim.fs.joinpath(root, ".venv", "bin", "python")
  return vim.fn.executable(python) == 1 and python or nil
end

--- Sends the trust answer to every asyncell client of `root` (hosts started from now on
--- use it; a running host keeps its interpreter until restarted).
function M.notify_clients(root)
  local lsp = require("asyncell.lsp")
  for _, client in ipairs(lsp.clients()) do
    if M.same(client.root_dir, root) then
      lsp.push_settings(client)
    end
  end
end

--- The workspace's .venv/bin/asyncell when trust decides whether it is the server: there
--- is one, the user has not set `cmd`, and it is not the one $PATH finds anyway (an
--- activated venv). nil otherwise.
function M.venv_asyncell(root)
  if require("asyncell.config").explicit_cmd then
    return nil
  end
  return require("asyncell.binary").venv_binary_needing_trust(root)
end

-- Roots asked about in this Neovim session: "pending" while the question is open,
-- "done" once answered or dismissed (a dismissed question is not repeated).
local asked = {}
-- Callbacks waiting for the answer, per root.
local waiting = {}

local function question(root, python, asyncell)
  local trusted, untrusted = {}, {}
  if asyncell then
    trusted[#trusted + 1] = "start the server from " .. asyncell
    untrusted[#untrusted + 1] = "start asyncell from $PATH"
  end
  if python then
    trusted[#trusted + 1] = "run cells on " .. python
    untrusted[#untrusted + 1] = "run cells on python3"
  end
  return "Trust: " .. table.concat(trusted, " and "),
    "Don't trust: " .. table.concat(untrusted, " and ") .. " (the .venv is never run)"
end

--- Calls `on_settled()` once the trust answer for `root` is settled: right away when it
--- does not matter, was given before, or was dismissed this session; otherwise after
--- asking (vim.ui.select, so any picker UI can answer) and remembering the answer. The
--- server starts from `on_settled`, so it starts on the binary and with the trust the
--- user chose.
function M.settle(root, on_settled)
  local python, asyncell = M.venv_python(root), M.venv_asyncell(root)
  local k = root and key(root)
  if not (python or asyncell) or M.get(root) ~= nil or asked[k] == "done" then
    on_settled()
    return
  end
  waiting[k] = waiting[k] or {}
  table.insert(waiting[k], on_settled)
  if asked[k] == "pending" then
    return
  end
  asked[k] = "pending"
  local trust, distrust = question(root, python, asyncell)
  -- Scheduled: FileType autocommands (where this runs) are no place for a prompt.
  vim.schedule(function()
    vim.ui.select({ trust, distrust }, {
      prompt = ("asyncell: %s has its own .venv. A repository can ship any program there. Trust it?"):format(root),
    }, function(choice)
      asked[k] = "done"
      if choice ~= nil then -- nil: dismissed, untrusted for now; asked again next session
        M.set(root, choice == trust)
        M.notify_clients(root)
      end
      local callbacks = waiting[k] or {}
      waiting[k] = nil
      for _, callback in ipairs(callbacks) do
        callback()
      end
    end)
  end)
end

--- :AsyncellTrust [yes|no]: changes the answer for the current buffer's workspace.
function M.command(arg)
  local lsp = require("asyncell.lsp")
  local client = lsp.client(0)
  local root = client and client.root_dir
  -- No client: maybe no server could start (an untrusted .venv has the only asyncell).
  if not root and vim.tbl_contains(require("asyncell.config").options.filetypes, vim.bo.filetype) then
    root = lsp.root_dir(0)
  end
  if not root then
    vim.notify("asyncell: this buffer has no asyncell workspace", vim.log.levels.WARN)
    return
  end
  if arg == "" then
    local answer = M.get(root)
    vim.notify(("asyncell: %s is %s"):format(
      root,
      answer == true and "trusted (its .venv may run cells)"
        or answer == false and "not trusted (its .venv is never run)"
        or "not trusted yet (never answered)"
    ))
    return
  end
  if arg ~= "yes" and arg ~= "no" then
    vim.notify("asyncell: :AsyncellTrust takes yes or no", vim.log.levels.ERROR)
    return
  end
  local binary = require("asyncell.binary")
  local before = binary.resolve(root)
  M.set(root, arg == "yes")
  M.notify_clients(root)
  local after = binary.resolve(root)
  local state = arg == "yes" and "trusted" or "not trusted"
  if after.argv[1] ~= before.argv[1] or (client == nil and after.path) then
    -- The answer chose another server binary (or made one available): the servers of
    -- this workspace restart on it, with fresh hosts.
    local on = after.path and ("restarting its server on " .. after.path)
      or "stopping its server: no `asyncell` on $PATH (:checkhealth asyncell)"
    vim.notify(("asyncell: %s is now %s; %s"):format(root, state, on))
    lsp.restart_root(root)
  else
    vim.notify(("asyncell: %s is now %s; :AsyncellRestart to restart a running host on it"):format(root, state))
  end
end

return M
