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
        require("asyncell.status").start()
        -- the loop and host state, for the statusline
        require("asyncell.status").refresh(args.buf)
        if config.options.codelens then
          M._codelens(args.buf)
        end
      end
    end,
  })
  -- Output lines are cut to the window's width: cut again when it changes.
  vim.api.nvim_create_autocmd({ "VimResized", "WinResized", "WinNew", "WinClosed", "BufWinEnter" }, {
    group = group,
    callback = function()
      require("asyncell.outputs").render_all()
    end,
  })
  vim.api.nvim_create_autocmd({ "BufWipeout", "BufDelete" }, {
    group = group,
    callback = function(args)
      require("asyncell.outputs").clear(args.buf)
      require("asyncell.status").forget(args.buf)
    end,
  })
  -- Keymaps go on as soon as a buffer of the filetypes opens, not when the server
  -- attaches (seconds later): a key typed meanwhile must run, not insert text.
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.options.filetypes,
    callback = function(args)
      require("asyncell.keymaps").attach(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.options.filetypes, vim.bo[buf].filetype) then
      require("asyncell.keymaps").attach(buf)
    end
  end
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

function M.run_below()
  return require("asyncell.exec").run_below(0)
end

function M.run_and_advance()
  return require("asyncell.exec").run_and_advance(0)
end

function M.restart_run_all()
  return require("asyncell.exec").restart_run_all(0)
end

--- Moves the cursor `count` cells down (negative: up), as ]c and [c do.
function M.next_cell(count)
  count = count or 1
  local cells = require("asyncell.cells")
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local cell = cells.step(0, row, count)
  if cell then
    -- A jump, as ]] is: '' and <C-o> come back (not in Visual mode, which m' would end).
    if vim.api.nvim_get_mode().mode == "n" then
      vim.cmd("normal! m'")
    end
    vim.api.nvim_win_set_cursor(0, { cells.body_row(cell) + 1, 0 })
  end
end

function M.variables()
  return require("asyncell.variables").open(0)
end

--- The n-th image (1-based; default the last) of the output of the cell under the cursor.
function M.open_image(n)
  return require("asyncell.images").open(0, n)
end

function M.save_image(path, n)
  return require("asyncell.images").save(0, path, n)
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
