-- The full output of a block (every line, complete tracebacks) in a float or a scratch
-- buffer.
local outputs = require("asyncell.outputs")
local render = require("asyncell.render")

local M = {}

local ns = vim.api.nvim_create_namespace("asyncell.view")

--- Text lines and highlights of a block's full output.
function M.lines(block)
  local header, header_hl = render.header(block, outputs.now_ms())
  local lines, hls = { header }, { header_hl }
  for _, line in ipairs(outputs.body(block, true)) do
    lines[#lines + 1] = line[1]
    hls[#hls + 1] = line[2] or "AsyncellStdout"
  end
  return lines, hls
end

local function fill(buf, lines, hls)
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  for i, hl in ipairs(hls) do
    if hl ~= "AsyncellStdout" then
      vim.api.nvim_buf_set_extmark(buf, ns, i - 1, 0, { end_row = i, hl_group = hl, hl_eol = false, strict = false })
    end
  end
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
end

--- Opens the full output of `block`. opts.split: a scratch buffer in a split instead of
--- a float. Returns the buffer and window.
function M.open(block, opts)
  opts = opts or {}
  local lines, hls = M.lines(block)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "asyncell-output"
  fill(buf, lines, hls)
  local win
  if opts.split then
    vim.cmd("botright " .. math.min(#lines, 15) .. "split")
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
  else
    local width = 20
    for _, line in ipairs(lines) do
      width = math.max(width, vim.fn.strdisplaywidth(line))
    end
    width = math.min(width + 1, math.floor(vim.o.columns * 0.8))
    local height = math.max(1, math.min(#lines, math.floor(vim.o.lines * 0.7)))
    win = vim.api.nvim_open_win(buf, true, {
      relative = "cursor",
      row = 1,
      col = 0,
      width = width,
      height = height,
      style = "minimal",
      border = "rounded",
      title = " asyncell output ",
    })
    vim.wo[win].wrap = false
  end
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.keymap.set("n", key, function()
      if vim.api.nvim_win_is_valid(win) then
        vim.api.nvim_win_close(win, true)
      end
    end, { buffer = buf, nowait = true, desc = "Close asyncell output" })
  end
  return buf, win
end

return M
