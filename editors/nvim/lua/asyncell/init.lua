-- asyncell for Neovim: diagnostics from the asyncell language server, and `# %%` cells
-- run on a persistent trio/asyncio loop with outputs drawn under each cell.
-- See :h asyncell.
local config = require("asyncell.config")

local M = {}

-- Only an explicit cmd is checked here: without one, the binary depends on the workspace
-- (its trusted .venv, else $PATH), and the plugin says so when a server cannot start.
local function warn_missing_binary()
  local cmd = config.options.cmd
  if config.explicit_cmd and vim.fn.executable(cmd[1]) == 0 then
    vim.notify(
      ("asyncell: `%s` (setup cmd) is not executable; fix cmd, or drop it to use `asyncell` "
        .. "from $PATH (`pip install asyncell`, `uv tool install asyncell`) (:checkhealth asyncell)"):format(cmd[1]),
      vim.log.levels.WARN
    )
  end
end

--- Starts asyncell for python buffers. Every option is optional (see :h asyncell-setup).
function M.setup(opts)
  config.set(opts)
  require("asyncell.highlights").setup()
  local group = vim.api.nvim_create_augroup("asyncell", { clear = true })
  vim.api.nvim_create_autocmd("ColorScheme", {
    group = group,
    callback = function()
      require("asyncell.highlights").setup()
    end,
  })
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == require("asyncell.lsp").name then
        require("asyncell.keymaps").attach(args.buf)
        require("asyncell.status").start()
        -- the loop and host state, for the statusline
        require("asyncell.status").refresh(args.buf)
        if config.options.codelens then
          M._codelens(args.buf)
        end
      end
    end,
  })
  vim.api.nvim_create_autocmd({ "BufWipeout", "BufDelete" }, {
    group = group,
    callback = function(args)
      require("asyncell.outputs").clear(args.buf)
      require("asyncell.status").forget(args.buf)
    end,
  })
  warn_missing_binary()
  require("asyncell.lsp").enable()
  M._configured = true
end

-- Keeps the server's code lenses fresh in `buf` (codelens = true).
function M._codelens(buf)
  local group = vim.api.nvim_create_augroup("asyncell.codelens." .. buf, { clear = true })
  local function refresh()
    if vim.api.nvim_buf_is_valid(buf) and require("asyncell.lsp").client(buf) then
      pcall(vim.lsp.codelens.refresh, { bufnr = buf })
    end
  end
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "TextChanged" }, {
    group = group,
    buffer = buf,
    callback = refresh,
  })
  refresh()
end

--- Statusline text for the current buffer, e.g. "trio ● busy 3.2s · 2 tasks"
--- ("" when asyncell is not attached).
function M.status(buf)
  return require("asyncell.status").line(buf)
end

function M.run_cell()
  return require("asyncell.exec").run_cell(0)
end

function M.run_above()
  return require("asyncell.exec").run_above(0)
end

function M.run_all()
  return require("asyncell.exec").run_all(0)
end

--- Runs rows first..last (1-based, inclusive) of the current buffer.
function M.run_selection(first, last)
  return require("asyncell.exec").run_selection(0, first - 1, last - 1)
end

function M.interrupt()
  return require("asyncell.exec").interrupt(0)
end

function M.restart()
  return require("asyncell.exec").restart(0)
end

function M.tasks()
  return require("asyncell.tasks").open(0)
end

function M.cancel_task(id)
  return require("asyncell.exec").cancel_task(0, id)
end

--- Removes outputs: of the current buffer, or of every buffer with `all`.
function M.clear(all)
  local outputs = require("asyncell.outputs")
  if all then
    outputs.clear_all()
  else
    outputs.clear(vim.api.nvim_get_current_buf())
  end
end

--- Opens the full output of the cell under the cursor. opts.split: in a split.
function M.output(opts)
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local block = require("asyncell.outputs").at(buf, row)
  if not block then
    vim.notify("asyncell: no output here", vim.log.levels.WARN)
    return
  end
  return require("asyncell.view").open(block, opts)
end

return M
