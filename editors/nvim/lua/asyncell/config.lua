-- Options: the defaults, the user's overrides, and the settings sent to the server.
local M = {}

M.defaults = {
  -- argv that starts the language server. Unset: the trusted workspace's
  -- .venv/bin/asyncell, else `asyncell` on $PATH (asyncell.binary).
  cmd = { "asyncell" },
  -- Interpreter for the cell host: a path or an argv list ({ "ssh", "box", "python3" }).
  -- nil lets the server decide (see :h asyncell-python).
  python = nil,
  -- "trio" | "asyncio" | "auto"; nil: pyproject.toml [tool.asyncell], then auto.
  loop = nil,
  -- "asyncell" | "ipython"; nil: from pyproject.toml, then "asyncell".
  target = nil,
  filetypes = { "python" },
  root_markers = { "pyproject.toml", ".git" },
  -- Outputs are folded to their newest this many lines; :AsyncellOutput shows everything.
  max_lines = 10,
  -- Background tasks' output kept per cell (the newest lines; older ones are dropped),
  -- so a task that prints forever does not grow memory.
  max_background_lines = 1000,
  -- Characters drawn before output lines, and the status icons.
  gutter = "│ ",
  -- How often (ms) the statusline asks the server for the host's state while attached.
  status_interval = 2000,
  -- How often (ms) an open :AsyncellVariables float asks the host again.
  variables_interval = 1000,
  -- "auto": draw images inline with image.nvim when it is installed, else a placeholder
  -- line (:AsyncellOpenImage opens it); "placeholder": never draw them.
  images = "auto",
  -- Show the server's "▶ Run cell" / "Run above" code lenses (they run through the plugin).
  codelens = false,
  -- false, true (the defaults below) or a table overriding some of them (false disables one).
  keymaps = false,
  -- Extra fields merged into the LSP client config (capabilities, on_attach, ...).
  lsp = {},
}

M.default_keymaps = {
  run_cell = { "n", "<leader>ar" },
  run_selection = { "x", "<leader>ar" },
  run_above = { "n", "<leader>aa" },
  run_all = { "n", "<leader>aA" },
  run_below = { "n", "<leader>ab" },
  run_and_advance = { "n", "<leader>an" },
  restart_run_all = { "n", "<leader>aX" },
  next_cell = { { "n", "x" }, "]c" },
  prev_cell = { { "n", "x" }, "[c" },
  variables = { "n", "<leader>av" },
  open_image = { "n", "<leader>ap" },
  interrupt = { "n", "<leader>ai" },
  restart = { "n", "<leader>aR" },
  tasks = { "n", "<leader>at" },
  clear = { "n", "<leader>ac" },
  output = { "n", "<leader>ao" },
}

M.options = vim.deepcopy(M.defaults)

--- Whether the user gave `cmd` to setup(): then it always wins over the workspace's .venv
--- and $PATH.
M.explicit_cmd = false

function M.set(user)
  user = user or {}
  local expected = {
    cmd = { "table", "string" },
    python = { "table", "string" },
    loop = { "string" },
    target = { "string" },
    max_lines = { "number" },
    max_background_lines = { "number" },
    status_interval = { "number" },
    variables_interval = { "number" },
    images = { "string" },
    keymaps = { "boolean", "table" },
    codelens = { "boolean" },
  }
  for key, types in pairs(expected) do
    if user[key] ~= nil and not vim.tbl_contains(types, type(user[key])) then
      error(("asyncell.setup: `%s` must be a %s, got %s"):format(key, table.concat(types, " or "), type(user[key])), 2)
    end
  end
  local options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), user)
  if type(options.cmd) == "string" then
    options.cmd = { options.cmd }
  end
  -- Lists replace, they don't merge by index.
  for _, key in ipairs({ "cmd", "filetypes", "root_markers" }) do
    if user[key] ~= nil then
      options[key] = type(user[key]) == "string" and { user[key] } or vim.deepcopy(user[key])
    end
  end
  if user.python ~= nil then
    options.python = vim.deepcopy(user.python)
  end
  -- "~/venv/bin/python" and "$HOME/..." work: the server does not expand them.
  local function expand(path)
    return (path:match("^[~$]") and vim.fs.normalize(path)) or path
  end
  if type(options.python) == "string" then
    options.python = expand(options.python)
  elseif type(options.python) == "table" and type(options.python[1]) == "string" then
    options.python[1] = expand(options.python[1])
  end
  options.cmd[1] = expand(options.cmd[1])
  M.options = options
  M.explicit_cmd = user.cmd ~= nil
  return options
end

--- The asyncell settings the server reads (initializationOptions and
--- workspace/didChangeConfiguration, section "asyncell"): only what the user set.
function M.server_settings()
  local settings = {}
  for _, key in ipairs({ "python", "loop", "target" }) do
    if M.options[key] ~= nil then
      settings[key] = M.options[key]
    end
  end
  -- An empty Lua table encodes as a JSON array; the section is an object.
  return next(settings) and settings or vim.empty_dict()
end

--- The keymaps to install: {name -> {mode, lhs}}.
function M.keymaps()
  local keymaps = M.options.keymaps
  if not keymaps then
    return {}
  end
  local result = vim.deepcopy(M.default_keymaps)
  if type(keymaps) == "table" then
    for name, value in pairs(keymaps) do
      if value == false then
        result[name] = nil
      elseif type(value) == "string" then
        result[name] = { (result[name] or { "n" })[1], value }
      elseif type(value) == "table" then
        result[name] = value
      end
    end
  end
  return result
end

return M
