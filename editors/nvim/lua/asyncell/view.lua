-- The full output of a block (every line, complete tracebacks) in a float or a scratch
-- buffer.
local outputs = require("asyncell.outputs")
local render = require("asyncell.render")

local M = {}

local ns = vim.api.nvim_create_namespace("asyncell.view")

--- Text lines and highlights of a block's full output, and the image item of each
--- placeholder line (by line number).
function M.lines(block)
  local header, header_hl = render.header(block, outputs.now_ms())
  local lines, hls, images = { header }, { header_hl }, {}
  for _, line in ipairs(outputs.body(block, true)) do
    lines[#lines + 1] = line[1]
    hls[#hls + 1] = line[2] or "AsyncellStdout"
    images[#lines] = line.image
  end
  return lines, hls, images
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
  local lines, hls, images = M.lines(block)
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
    local max_height = math.max(1, math.floor(vim.o.lines * 0.7))
    local height = math.max(1, math.min(#lines, max_height))
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
    -- Long lines (a fix hint, a repr) wrap instead of being cut at the float's edge; the
    -- float is as tall as the wrapped text, up to 70% of the screen.
    vim.wo[win].wrap = true
    vim.wo[win].linebreak = true
    vim.wo[win].breakindent = true
    local ok, size = pcall(vim.api.nvim_win_text_height, win, {})
    if ok and size.all > height then
      vim.api.nvim_win_set_height(win, math.min(size.all, max_height))
    end
  end
  -- <CR> on an image placeholder opens the image in the system viewer.
  vim.keymap.set("n", "<CR>", function()
    local item = images[vim.api.nvim_win_get_cursor(0)[1]]
    local image = item and require("asyncell.images").of_item(item)
    if image then
      require("asyncell.images").open_image(image)
    end
  end, { buffer = buf, nowait = true, desc = "Open the image under the cursor" })
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
