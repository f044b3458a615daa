-- Images in outputs: drawn inline with image.nvim when it is installed (images = "auto"),
-- else shown as a placeholder line; either way :AsyncellOpenImage writes one to a temp
-- file and opens it in the system viewer (vim.ui.open), :AsyncellSaveImage writes it
-- where the user says.
local config = require("asyncell.config")
local render = require("asyncell.render")

local M = {}

local EXTENSIONS = {
  ["image/png"] = ".png",
  ["image/jpeg"] = ".jpg",
  ["image/gif"] = ".gif",
  ["image/svg+xml"] = ".svg",
}

local function notify(message, level)
  vim.notify("asyncell: " .. message, level or vim.log.levels.INFO)
end

--- The image of an output item: {mime, data} (data as the output carries it), or nil.
function M.of_item(item)
  local data = item.output and item.output.data
  if type(data) ~= "table" then
    return nil
  end
  for _, mime in ipairs(render.IMAGE_TYPES) do
    local value = data[mime]
    if value then
      return { mime = mime, data = type(value) == "table" and table.concat(value) or value }
    end
  end
end

--- The images of a block, in output order.
function M.list(block)
  local list = {}
  for _, item in ipairs(block and block.items or {}) do
    local image = M.of_item(item)
    if image then
      list[#list + 1] = image
    end
  end
  return list
end

--- The file bytes of an image: base64-decoded, except SVG, which is XML text.
function M.bytes(image)
  if image.mime == "image/svg+xml" then
    return image.data
  end
  local ok, bytes = pcall(vim.base64.decode, (image.data:gsub("%s", "")))
  return ok and bytes or nil
end

local function write(path, bytes)
  local file, err = io.open(path, "wb")
  if not file then
    return nil, err
  end
  file:write(bytes)
  file:close()
  return path
end

--- Writes an image to a new temporary file; returns its path, or nil and why not.
function M.write_temp(image)
  local bytes = M.bytes(image)
  if not bytes then
    return nil, "the image data is not valid base64"
  end
  return write(vim.fn.tempname() .. (EXTENSIONS[image.mime] or ""), bytes)
end

--- The `n`-th image (default: the last) of the output of the cell under the cursor.
local function pick(buf, n)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local block = require("asyncell.outputs").at(buf, row)
  local list = M.list(block)
  if #list == 0 then
    return nil, "no image in this cell's output"
  end
  local image = list[n or #list]
  if not image then
    return nil, ("this cell's output has %d image%s"):format(#list, #list == 1 and "" or "s")
  end
  return image
end

--- Writes `image` to a temp file and opens it with the system viewer. Returns the path.
function M.open_image(image)
  local path, err = M.write_temp(image)
  if not path then
    return notify("cannot write the image: " .. tostring(err), vim.log.levels.ERROR)
  end
  if vim.ui.open then
    local _, open_err = vim.ui.open(path)
    if open_err then
      notify(("wrote %s; opening it failed: %s"):format(path, open_err), vim.log.levels.WARN)
    end
  else
    notify("wrote " .. path .. " (Neovim 0.10+ opens it with vim.ui.open)")
  end
  return path
end

--- :AsyncellOpenImage [n]
function M.open(buf, n)
  local image, err = pick(buf, n)
  if not image then
    return notify(err, vim.log.levels.WARN)
  end
  return M.open_image(image)
end

--- :AsyncellSaveImage {path} [n]: into a directory, as image-<n><ext>.
function M.save(buf, path, n)
  local image, err = pick(buf, n)
  if not image then
    return notify(err, vim.log.levels.WARN)
  end
  if not path or path == "" then
    return notify("which file? :AsyncellSaveImage {path}", vim.log.levels.WARN)
  end
  path = vim.fs.normalize(vim.fn.expand(path))
  if vim.fn.isdirectory(path) == 1 then
    path = path .. "/image" .. (EXTENSIONS[image.mime] or "")
  end
  local bytes = M.bytes(image)
  if not bytes then
    return notify("the image data is not valid base64", vim.log.levels.ERROR)
  end
  local ok, write_err = write(path, bytes)
  if not ok then
    return notify(("cannot write %s: %s"):format(path, tostring(write_err)), vim.log.levels.ERROR)
  end
  notify(("saved %s (%d bytes)"):format(path, #bytes))
  return path
end

-- Inline drawing through image.nvim (https://github.com/3rd/image.nvim), when installed.

local drawn = {} -- block -> {image.nvim images}

local function image_nvim()
  if config.options.images == "placeholder" then
    return nil
  end
  local ok, api = pcall(require, "image")
  if ok and type(api) == "table" and type(api.from_file) == "function" then
    return api
  end
end

--- Whether images are drawn inline (image.nvim is installed and `images` allows it).
function M.inline()
  return image_nvim() ~= nil
end

--- Draws a new PNG output of `block` under its cell with image.nvim (no-op without it).
function M.on_output(block, item)
  -- The image first: looking for image.nvim searches 'runtimepath' when it is absent.
  local image = M.of_item(item)
  if not image or image.mime ~= "image/png" then
    return
  end
  local api = image_nvim()
  if not api then
    return
  end
  local win = vim.fn.bufwinid(block.buf)
  local row = require("asyncell.outputs").row(block)
  local path = win ~= -1 and row and M.write_temp(image)
  if not path then
    return
  end
  local ok, img = pcall(api.from_file, path, {
    buffer = block.buf,
    window = win,
    x = 0,
    -- 0-based: image.nvim pads with virtual lines below this row, as the block does.
    y = row,
    with_virtual_padding = true,
    inline = true,
  })
  if ok and img then
    pcall(img.render, img)
    drawn[block] = drawn[block] or {}
    table.insert(drawn[block], img)
  end
end

--- The block is gone (re-run, cleared): its inline images go too.
function M.forget(block)
  for _, img in ipairs(drawn[block] or {}) do
    pcall(img.clear, img)
  end
  drawn[block] = nil
end

return M
