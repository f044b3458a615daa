-- Workspace trust: whether cells of a workspace may run on its own .venv/bin/python.
--
-- A cloned repository can ship any program as .venv/bin/python, so the server runs it
-- only when the client says the user trusts the workspace (`trustedWorkspace` in
-- initializationOptions / didChangeConfiguration, docs/protocol.md). The plugin asks once
-- per workspace root, the first time a server starts there with a .venv and no `python`
-- option, and remembers the answer in stdpath("state")/asyncell/trust.json.
local M = {}

--- The file the answers are kept in: { [root] = true | false }.
function M.file()
  return vim.fs.joinpath(vim.fn.stdpath("state"), "asyncell", "trust.json")
end

--- The canonical form of a root, so /a/b and /a/b/ (or a symlink) are one workspace.
local function key(root)
  return vim.uv.fs_realpath(root) or vim.fs.normalize(root)
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
    if client.root_dir and key(client.root_dir) == key(root) then
      lsp.push_settings(client)
    end
  end
end

-- Roots asked about in this Neovim session (a dismissed question is not repeated).
local asked = {}

--- Asks whether to trust `root` when that matters and was never answered; remembers the
--- answer and tells the server. Uses vim.ui.select, so any picker UI can answer.
function M.ask_if_needed(root)
  local python = M.venv_python(root)
  if not python or M.get(root) ~= nil or asked[key(root)] then
    return
  end
  asked[key(root)] = true
  local trust = "Trust: run cells on " .. python
  local distrust = "Don't trust: run cells on python3 (the .venv is never run)"
  vim.ui.select({ trust, distrust }, {
    prompt = ("asyncell: %s has its own .venv. A repository can ship any program there. Trust it?"):format(root),
  }, function(choice)
    if choice == nil then
      return -- dismissed: ask again next session
    end
    M.set(root, choice == trust)
    M.notify_clients(root)
  end)
end

--- :AsyncellTrust [yes|no]: changes the answer for the current buffer's workspace.
function M.command(arg)
  local client = require("asyncell.lsp").client(0)
  local root = client and client.root_dir
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
  M.set(root, arg == "yes")
  M.notify_clients(root)
  vim.notify(("asyncell: %s is now %s; :AsyncellRestart to restart a running host on it"):format(
    root,
    arg == "yes" and "trusted" or "not trusted"
  ))
end

return M
