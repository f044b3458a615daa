-- Starting the asyncell language server for python buffers, and talking to it.
-- Neovim 0.11+: vim.lsp.config + vim.lsp.enable. Neovim 0.10: vim.lsp.start on FileType.
local config = require("asyncell.config")

local M = {}

M.name = "asyncell"

--- Whether to use the Neovim 0.11 API (vim.lsp.config/enable, client:request). From
--- 0.11.3 on, because the binary depends on the workspace: cmd() gets the resolved config
--- (with its root_dir) only since then. The test suite sets this to false to exercise the
--- 0.10 path on a newer Neovim.
M.modern = vim.fn.has("nvim-0.11.3") == 1

local binary = require("asyncell.binary")

--- The client config shared by both code paths.
function M.client_config()
  local options = config.options
  local settings = config.server_settings()
  local handlers = {
    ["asyncell/output"] = function(err, params, ctx)
      if not err and params then
        require("asyncell.outputs").on_output(params, ctx)
      end
    end,
    ["asyncell/event"] = function(err, params, ctx)
      if not err and params then
        require("asyncell.exec").on_event(params, ctx)
      end
    end,
  }
  -- The server's code lenses ("▶ Run cell", "Run above") name these commands with
  -- arguments {uri, code cell index}. Handling them here, instead of letting Neovim send
  -- workspace/executeCommand, puts their output under the cell like :AsyncellRunCell.
  local function lens_target(command)
    local args = command.arguments or {}
    local buf = type(args[1]) == "string" and M.buf_for_uri(args[1]) or vim.api.nvim_get_current_buf()
    return buf, tonumber(args[2])
  end
  local commands = {
    ["asyncell.runCell"] = function(command)
      local buf, index = lens_target(command)
      require("asyncell.exec").run_code_cell(buf, index)
    end,
    ["asyncell.runAbove"] = function(command)
      local buf, index = lens_target(command)
      require("asyncell.exec").run_code_cells_before(buf, index)
    end,
    ["asyncell.interrupt"] = function(command)
      require("asyncell.exec").interrupt((lens_target(command)))
    end,
    ["asyncell.restart"] = function(command)
      require("asyncell.exec").restart((lens_target(command)))
    end,
  }
  local user = vim.deepcopy(options.lsp or {})
  local user_on_exit = user.on_exit
  local user_before_init = user.before_init
  local user_on_init = user.on_init
  -- No cmd here: the binary depends on the workspace (start_010, start_rpc).
  local client_config = vim.tbl_deep_extend("force", {
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    init_options = settings,
    settings = { asyncell = settings },
    handlers = handlers,
    commands = commands,
  }, user)
  -- Whether the workspace's .venv may run cells: the answer remembered for this root
  -- (asyncell.trust); untrusted until the user says otherwise.
  client_config.before_init = function(params, resolved)
    params.initializationOptions = vim.tbl_extend("force", params.initializationOptions or {}, {
      trustedWorkspace = require("asyncell.trust").get(resolved.root_dir) == true,
    })
    -- The plugin handles asyncell/* notifications: the server sends them only to clients
    -- that say so (docs/protocol.md, "Plain LSP clients").
    params.capabilities = params.capabilities or {}
    params.capabilities.experimental = vim.tbl_extend("force", params.capabilities.experimental or {}, {
      asyncell = { notifications = true },
    })
    if user_before_init then
      user_before_init(params, resolved)
    end
  end
  client_config.on_init = user_on_init
  client_config.on_exit = function(code, signal, client_id)
    vim.schedule(function()
      require("asyncell.exec").on_server_exit(client_id, code, signal)
    end)
    if user_on_exit then
      user_on_exit(code, signal, client_id)
    end
  end
  return client_config
end

--- The workspace root of a buffer: the nearest directory with one of `root_markers`,
--- else the file's directory (else the current directory).
function M.root_dir(buf)
  buf = buf == 0 and vim.api.nvim_get_current_buf() or buf
  local root = vim.fs.root(buf, config.options.root_markers)
  if root then
    return root
  end
  local name = vim.api.nvim_buf_get_name(buf)
  return name ~= "" and vim.fs.dirname(name) or vim.uv.cwd()
end

-- Roots already told that no binary was found (told once per session).
local told_missing = {}

--- The binary for `root`, or nil after telling the user why there is none and the fix.
local function binary_for(root)
  local choice = binary.resolve(root)
  if choice.path then
    return choice
  end
  if not told_missing[root] then
    told_missing[root] = true
    local message
    if choice.origin == "setup" then
      message = ("asyncell: `%s` (setup cmd) is not executable; fix cmd in setup()"):format(choice.argv[1])
    else
      message = "asyncell: no `asyncell` on $PATH; install it with `pip install asyncell` (into the venv you"
        .. " work in), `uv tool install asyncell` or `pipx install asyncell`"
      if choice.passed_over then
        message = message
          .. ("; %s was passed over because %s is not trusted (:AsyncellTrust yes)"):format(choice.passed_over, root)
      end
    end
    vim.notify(message .. " (:checkhealth asyncell)", vim.log.levels.WARN)
  end
  return nil
end

--- Starts the server for `root` through `start(choice)` once the workspace's trust is
--- settled (the user may be asked first) and a binary is found.
local function when_ready(buf, root, start)
  require("asyncell.trust").settle(root, function()
    if not vim.api.nvim_buf_is_valid(buf) then
      return
    end
    local choice = binary_for(root)
    if choice then
      start(choice)
    end
  end)
end

local function start_010(buf)
  if vim.bo[buf].buftype ~= "" then
    return
  end
  local root = M.root_dir(buf)
  when_ready(buf, root, function(choice)
    local client_config = M.client_config()
    client_config.name = M.name
    client_config.cmd = choice.argv
    client_config.root_dir = root
    client_config.filetypes, client_config.root_markers = nil, nil
    vim.lsp.start(client_config, { bufnr = buf })
  end)
end

--- The cmd of the 0.11 config: starts the binary chosen for the resolved root, and puts
--- its argv into the client's config, where :checkhealth (and the tests) read what runs.
local function start_rpc(dispatchers, resolved)
  local choice = binary.resolve(resolved.root_dir)
  resolved.cmd = choice.argv
  return vim.lsp.rpc.start(choice.argv, dispatchers, {
    cwd = resolved.cmd_cwd,
    env = resolved.cmd_env,
    detached = resolved.detached,
  })
end

--- The 0.11 root_dir: the root (as M.root_dir), given to Neovim only once trust is settled
--- and a binary is found, so that no server starts before that.
local function settle_root(buf, on_dir)
  local root = M.root_dir(buf)
  when_ready(buf, root, function()
    on_dir(root)
  end)
end

--- Starts (or attaches) the server for a loaded buffer, as opening it would.
function M.start(buf)
  if M.modern then
    vim.api.nvim_exec_autocmds("FileType", { group = "nvim.lsp.enable", buffer = buf, modeline = false })
  else
    start_010(buf)
  end
end

--- Stops the servers of the workspace `root`, then starts one again for its loaded
--- buffers: after a trust answer changed which binary is the server.
function M.restart_root(root)
  local trust = require("asyncell.trust")
  local stopping = {}
  for _, client in ipairs(M.clients()) do
    if trust.same(client.root_dir, root) then
      stopping[#stopping + 1] = client
    end
  end
  local buffers = {}
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if
      vim.api.nvim_buf_is_loaded(buf)
      and vim.bo[buf].buftype == ""
      and vim.tbl_contains(config.options.filetypes, vim.bo[buf].filetype)
      and trust.same(M.root_dir(buf), root)
    then
      buffers[#buffers + 1] = buf
    end
  end
  for _, client in ipairs(stopping) do
    if M.modern then
      client:stop()
    else
      client.stop()
    end
  end
  -- A new client starts only once the old ones are gone, so buffers do not attach to a
  -- client that is shutting down.
  local waited = 0
  local timer = assert(vim.uv.new_timer())
  timer:start(50, 50, vim.schedule_wrap(function()
    if timer:is_closing() then
      return
    end
    waited = waited + 50
    local alive = vim.tbl_filter(function(client)
      return vim.lsp.get_client_by_id(client.id) ~= nil
    end, stopping)
    if #alive > 0 and waited < 5000 then
      if waited == 3000 then
        for _, client in ipairs(alive) do
          pcall(function()
            if M.modern then
              client:stop(true)
            else
              client.stop(true)
            end
          end)
        end
      end
      return
    end
    timer:stop()
    timer:close()
    for _, buf in ipairs(buffers) do
      if vim.api.nvim_buf_is_loaded(buf) then
        M.start(buf)
      end
    end
  end))
end

--- The didChangeConfiguration settings for a workspace: the asyncell section and the
--- trust answer for `root`.
function M.settings_for(root)
  return {
    asyncell = config.server_settings(),
    trustedWorkspace = require("asyncell.trust").get(root) == true,
  }
end

--- Gives a running client the settings for its root (trust answer included) through
--- workspace/didChangeConfiguration.
function M.push_settings(client)
  client.settings = M.settings_for(client.root_dir)
  if M.modern then
    client:notify("workspace/didChangeConfiguration", { settings = client.settings })
  else
    client.notify("workspace/didChangeConfiguration", { settings = client.settings })
  end
end

--- Registers (or re-registers, after a new setup()) the server with Neovim. Running
--- clients get the new settings through workspace/didChangeConfiguration.
function M.enable()
  for _, client in ipairs(M.clients()) do
    M.push_settings(client)
  end
  if M.modern then
    pcall(vim.api.nvim_del_augroup_by_name, "asyncell.lsp")
    local client_config = M.client_config()
    client_config.cmd = start_rpc
    if client_config.root_dir == nil then
      client_config.root_dir = settle_root
      client_config.root_markers = nil
    end
    -- Assigning replaces any previous setup() instead of merging lists by index.
    vim.lsp.config[M.name] = client_config
    vim.lsp.enable(M.name)
    -- vim.lsp.enable only re-triggers FileType after VimEnter; do it for buffers opened
    -- before setup() ran in scripts and `-l` sessions too.
    if vim.v.vim_did_enter ~= 1 then
      for _, buf in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.options.filetypes, vim.bo[buf].filetype) then
          vim.api.nvim_exec_autocmds("FileType", { group = "nvim.lsp.enable", buffer = buf, modeline = false })
        end
      end
    end
    return
  end
  if vim.lsp.enable and vim.lsp.is_enabled and vim.lsp.is_enabled(M.name) then
    vim.lsp.enable(M.name, false)
  end
  local group = vim.api.nvim_create_augroup("asyncell.lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.options.filetypes,
    callback = function(args)
      start_010(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.options.filetypes, vim.bo[buf].filetype) then
      start_010(buf)
    end
  end
end

--- Whether asyncell starts (or attaches) for `buf`: a file buffer of the configured
--- filetypes, once setup() ran.
function M.expected(buf)
  return require("asyncell")._configured == true
    and vim.api.nvim_buf_is_valid(buf)
    and vim.bo[buf].buftype == ""
    and vim.tbl_contains(config.options.filetypes, vim.bo[buf].filetype)
    -- no binary was found for its workspace (the user was told): none will start
    and not told_missing[M.root_dir(buf)]
end

--- The asyncell client attached to a buffer, or nil.
function M.client(buf)
  return vim.lsp.get_clients({ bufnr = buf or 0, name = M.name })[1]
end

--- Whether the asyncell client of `buf` is attached and initialized (requests can go).
function M.ready(buf)
  local client = M.client(buf)
  return client ~= nil and client.initialized == true
end

function M.clients()
  return vim.lsp.get_clients({ name = M.name })
end

--- Sends a request about a document. The callback gets (err, result).
--- Returns the request id, or nil (and calls back with an error) without a client.
function M.request(buf, method, params, callback)
  buf = buf == 0 and vim.api.nvim_get_current_buf() or buf
  local client = M.client(buf)
  callback = callback or function() end
  if not client then
    callback({ message = "asyncell is not attached to this buffer (see :checkhealth asyncell)" })
    return nil
  end
  params = params or {}
  params.textDocument = { uri = vim.uri_from_bufnr(buf) }
  local function handler(err, result)
    callback(err, result)
  end
  local ok, id
  if M.modern then
    ok, id = client:request(method, params, handler, buf)
  else
    ok, id = client.request(method, params, handler, buf)
  end
  if not ok then
    callback({ message = "asyncell server is not running" })
    return nil
  end
  return id, client
end

--- The loaded buffer whose URI is `uri`, or nil (never creates one).
function M.buf_for_uri(uri)
  local ok, fname = pcall(vim.uri_to_fname, uri)
  local target = ok and vim.fs.normalize(fname) or nil
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      if vim.uri_from_bufnr(buf) == uri then
        return buf
      end
      local name = vim.api.nvim_buf_get_name(buf)
      if target and name ~= "" and vim.fs.normalize(name) == target then
        return buf
      end
    end
  end
end

return M
