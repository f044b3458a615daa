-- :AsyncellVariables: the live namespace of a buffer's host as a table in a float, from
-- asyncell/variables, asked again every variables_interval ms while the float is open
-- (the host answers while cells run, so a value a running cell changes moves on screen).
-- <CR> shows asyncell/inspect of the name under the cursor, r refreshes, q closes.
local config = require("asyncell.config")
local lsp = require("asyncell.lsp")

local M = {}

local ns = vim.api.nvim_create_namespace("asyncell.variables")
local views = {} -- float buffer -> {source, win, rows = {row -> variable}, timer, pending}

-- One page is all the float shows; the header says when there are more.
local PAGE = 500

local function one_line(text, width)
  text = tostring(text or ""):gsub("[\r\n]+", " ")
  if vim.fn.strchars(text) > width then
    text = vim.fn.strcharpart(text, 0, width - 1) .. "…"
  end
  return text
end

local function pad(text, width)
  return text .. (" "):rep(math.max(0, width - vim.fn.strdisplaywidth(text)))
end

--- Lines of the table for a variables reply (or an error message): lines, rows, hls.
function M.format(source, reply, err, width)
  width = width or 100
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(source), ":t")
  local count = reply and reply.total and ("%d name%s"):format(reply.total, reply.total == 1 and "" or "s") or "…"
  local lines = { ("%s · %s   <CR>: inspect  r: refresh  q: close"):format(name, count) }
  local rows, hls = {}, { [1] = "Title" }
  if err then
    lines[#lines + 1] = "  " .. one_line(err, width - 2)
    hls[#lines] = "Comment"
    return lines, rows, hls
  end
  local vars = reply and reply.variables or {}
  if #vars == 0 then
    lines[#lines + 1] = "  (no variables yet)"
    hls[#lines] = "Comment"
    return lines, rows, hls
  end
  local w = { name = 4, type = 4, size = 4 }
  for _, v in ipairs(vars) do
    w.name = math.min(24, math.max(w.name, vim.fn.strdisplaywidth(v.name)))
    w.type = math.min(20, math.max(w.type, vim.fn.strdisplaywidth(v.type or "")))
    local size = v.size ~= vim.NIL and v.size or ""
    w.size = math.min(16, math.max(w.size, vim.fn.strdisplaywidth(size)))
  end
  local function row(n, t, size, value)
    local left = ("  %s  %s  %s  "):format(pad(one_line(n, w.name), w.name), pad(one_line(t, w.type), w.type), pad(one_line(size, w.size), w.size))
    return left .. one_line(value, math.max(10, width - vim.fn.strdisplaywidth(left)))
  end
  lines[#lines + 1] = row("NAME", "TYPE", "SIZE", "VALUE")
  hls[#lines] = "Comment"
  for _, v in ipairs(vars) do
    lines[#lines + 1] = row(v.name, v.type, v.size ~= vim.NIL and v.size or "", v.repr)
    rows[#lines] = v
  end
  if (reply.total or #vars) > #vars then
    lines[#lines + 1] = ("  … %d more"):format(reply.total - #vars)
    hls[#lines] = "Comment"
  end
  return lines, rows, hls
end

local function draw(fbuf, reply, err)
  local view = views[fbuf]
  if not view or not vim.api.nvim_buf_is_valid(fbuf) then
    return
  end
  local width = vim.api.nvim_win_is_valid(view.win) and vim.api.nvim_win_get_width(view.win) or 100
  local lines, rows, hls = M.format(view.source, reply, err, width)
  view.rows = rows
  vim.bo[fbuf].modifiable = true
  vim.api.nvim_buf_set_lines(fbuf, 0, -1, false, lines)
  vim.bo[fbuf].modifiable = false
  vim.bo[fbuf].modified = false
  vim.api.nvim_buf_clear_namespace(fbuf, ns, 0, -1)
  for r, hl in pairs(hls) do
    vim.api.nvim_buf_set_extmark(fbuf, ns, r - 1, 0, { end_row = r, hl_group = hl, strict = false })
  end
end

--- Asks for the variables again (skipped while an answer is pending).
function M.refresh(fbuf)
  local view = views[fbuf]
  if not view or view.pending then
    return
  end
  view.pending = true
  lsp.request(view.source, "asyncell/variables", { limit = PAGE }, function(err, result)
    view.pending = false
    if views[fbuf] then
      draw(fbuf, result, err and (err.message or vim.inspect(err)))
    end
  end)
end

local function close(fbuf)
  local view = views[fbuf]
  if not view then
    return
  end
  views[fbuf] = nil
  if view.timer and not view.timer:is_closing() then
    view.timer:stop()
    view.timer:close()
  end
  if vim.api.nvim_win_is_valid(view.win) then
    vim.api.nvim_win_close(view.win, true)
  end
end

--- The variable on the cursor line of a variables float.
function M.under_cursor(fbuf)
  local view = views[fbuf or vim.api.nvim_get_current_buf()]
  return view and view.rows[vim.api.nvim_win_get_cursor(0)[1]]
end

--- Lines of an asyncell/inspect reply.
function M.inspect_lines(name, reply)
  if not reply or not reply.found then
    return { ("%s: not found in the live namespace"):format(name) }
  end
  local lines = {}
  local function field(label, value)
    if value ~= nil and value ~= vim.NIL and value ~= "" then
      local parts = vim.split(tostring(value), "\n", { plain = true })
      lines[#lines + 1] = label .. parts[1]
      for i = 2, #parts do
        lines[#lines + 1] = (" "):rep(#label) .. parts[i]
      end
    end
  end
  field("name:      ", reply.name or name)
  field("type:      ", reply.type)
  field("signature: ", reply.signature)
  field("value:     ", reply.repr)
  field("file:      ", reply.file)
  if reply.doc and reply.doc ~= vim.NIL and reply.doc ~= "" then
    lines[#lines + 1] = ""
    vim.list_extend(lines, vim.split(reply.doc, "\n", { plain = true }))
  end
  return lines
end

--- Inspects `name` in `source`'s namespace; shows the answer in a float over the list.
function M.inspect(source, name, done)
  lsp.request(source, "asyncell/inspect", { code = name, cursor = vim.fn.strchars(name), detail = 0 }, function(err, reply)
    local lines = err and { "inspect failed: " .. (err.message or "") } or M.inspect_lines(name, reply)
    local buf = vim.api.nvim_create_buf(false, true)
    vim.bo[buf].bufhidden = "wipe"
    vim.bo[buf].filetype = "asyncell-inspect"
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.bo[buf].modifiable = false
    local width = math.floor(vim.o.columns * 0.7)
    local win = vim.api.nvim_open_win(buf, true, {
      relative = "editor",
      row = math.floor(vim.o.lines * 0.2),
      col = math.floor((vim.o.columns - width) / 2),
      width = width,
      height = math.max(1, math.min(#lines, math.floor(vim.o.lines * 0.6))),
      style = "minimal",
      border = "rounded",
      title = " " .. name .. " ",
      zindex = 60,
    })
    vim.wo[win].wrap = true
    for _, key in ipairs({ "q", "<Esc>" }) do
      vim.keymap.set("n", key, function()
        if vim.api.nvim_win_is_valid(win) then
          vim.api.nvim_win_close(win, true)
        end
      end, { buffer = buf, nowait = true, desc = "Close" })
    end
    if done then
      done(buf, win)
    end
  end)
end

--- The variables float of `source`, if one is open.
function M.buffer_for(source)
  for fbuf, view in pairs(views) do
    if view.source == source and vim.api.nvim_buf_is_valid(fbuf) then
      return fbuf
    end
  end
end

--- Opens the variables float of buffer `source` (the current one by default).
function M.open(source)
  source = (source == nil or source == 0) and vim.api.nvim_get_current_buf() or source
  if not lsp.client(source) then
    vim.notify("asyncell: not attached to this buffer (see :checkhealth asyncell)", vim.log.levels.ERROR)
    return
  end
  local existing = M.buffer_for(source)
  if existing then
    close(existing)
  end
  local fbuf = vim.api.nvim_create_buf(false, true)
  vim.bo[fbuf].bufhidden = "wipe"
  vim.bo[fbuf].filetype = "asyncell-variables"
  local width = math.max(40, math.floor(vim.o.columns * 0.8))
  local height = math.max(3, math.floor(vim.o.lines * 0.5))
  local win = vim.api.nvim_open_win(fbuf, true, {
    relative = "editor",
    row = math.floor((vim.o.lines - height) / 2) - 1,
    col = math.floor((vim.o.columns - width) / 2),
    width = width,
    height = height,
    style = "minimal",
    border = "rounded",
    title = " asyncell variables ",
  })
  vim.wo[win].cursorline = true
  vim.wo[win].wrap = false
  local view = { source = source, win = win, rows = {} }
  views[fbuf] = view
  draw(fbuf, nil, "asking the host…")
  view.timer = assert(vim.uv.new_timer())
  view.timer:start(config.options.variables_interval, config.options.variables_interval, vim.schedule_wrap(function()
    if views[fbuf] and vim.api.nvim_win_is_valid(view.win) then
      M.refresh(fbuf)
    elseif views[fbuf] then
      close(fbuf)
    end
  end))
  vim.api.nvim_create_autocmd({ "BufWipeout", "WinClosed" }, {
    buffer = fbuf,
    once = true,
    callback = function()
      vim.schedule(function()
        close(fbuf)
      end)
    end,
  })
  local function map(lhs, fn, desc)
    vim.keymap.set("n", lhs, fn, { buffer = fbuf, nowait = true, desc = desc })
  end
  map("q", function()
    close(fbuf)
  end, "Close the variables")
  map("<Esc>", function()
    close(fbuf)
  end, "Close the variables")
  map("r", function()
    M.refresh(fbuf)
  end, "Refresh the variables")
  map("<CR>", function()
    local v = M.under_cursor(fbuf)
    if v then
      M.inspect(source, v.name)
    end
  end, "Inspect the variable under the cursor")
  M.refresh(fbuf)
  return fbuf, win
end

return M
