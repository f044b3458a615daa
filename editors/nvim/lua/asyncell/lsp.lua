-- Starting the asyncell language server for python buffers, and talking to it.
-- Neovim 0.11+: vim.lsp.config + vim.lsp.enable. Neovim 0.10: vim.lsp.start on FileType.
local config = require("asyncell.config")

local M = {}

M.name = "asyncell"

--- Whether to use the Neovim 0.11 API (vim.lsp.config/enable, client:request). The test
--- suite sets this to false to exercise the 0.10 path on a newer Neovim.
M.modern = vim.fn.has("nvim-0.11") == 1

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
  local client_config = vim.tbl_deep_extend("force", {
    cmd = options.cmd,
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    init_options = settings,
    settings = { asyncell = settings },
    handlers = handlers,
    commands = commands,
  }, user)
  client_config.cmd = options.cmd
  -- Whether the workspace's .venv may run cells: the answer remembered for this root
  -- (asyncell.trust); untrusted until the user says otherwise.
  client_config.before_init = function(params, resolved)
    params.initializationOptions = vim.tbl_extend("force", params.initializationOptions or {}, {
      trustedWorkspace = require("asyncell.trust").get(resolved.root_dir) == true,
    })
    if user_before_init then
      user_before_init(params, resolved)
    end
  end
  client_config.on_init = function(client, result)
    local root = client.root_dir
    vim.schedule(function()
      require("asyncell.trust").ask_if_needed(root)
    end)
    if user_on_init then
      return user_on_init(client, result)
    end
  end
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

local function root_dir(buf)
  local markers = config.options.root_markers
  local root = vim.fs.root(buf, markers)
  if root then
    return root
  end
  local name = vim.api.nvim_buf_get_name(buf)
  return name ~= "" and vim.fs.dirname(name) or vim.uv.cwd()
end

local function start_010(buf)
  if vim.bo[buf].buftype ~= "" then
    return
  end
  local client_config = M.client_config()
  client_config.name = M.name
  client_config.root_dir = root_dir(buf)
  client_config.filetypes, client_config.root_markers = nil, nil
  vim.lsp.start(client_config, { bufnr = buf })
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
    -- Assigning replaces any previous setup() instead of merging lists by index.
    vim.lsp.config[M.name] = M.client_config()
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

--- The asyncell client attached to a buffer, or nil.
function M.client(buf)
  return vim.lsp.get_clients({ bufnr = buf or 0, name = M.name })[1]
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
