-- nbformat v4 outputs -> lines of text with a highlight group each. Used both for the
-- folded virtual lines under a cell and for the full view (:AsyncellOutput).
local M = {}

local function strip_ansi(text)
  return (text:gsub("\27%[[%d;]*[A-Za-z]", ""))
end

local function join(value)
  if type(value) == "table" then
    return table.concat(value)
  end
  return value or ""
end

local function split_lines(text)
  text = strip_ansi(text):gsub("\r\n", "\n")
  -- A carriage return without a newline redraws the line (progress bars): keep the last.
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    line = line:gsub("^.*\r", "")
    lines[#lines + 1] = line:gsub("\t", "    ")
  end
  if text:sub(-1) == "\n" then
    lines[#lines] = nil
  end
  return lines
end
M.split_lines = split_lines

local function human_size(bytes)
  if bytes >= 1024 * 1024 then
    return ("%.1f MB"):format(bytes / 1024 / 1024)
  elseif bytes >= 1024 then
    return ("%.1f KB"):format(bytes / 1024)
  end
  return ("%d B"):format(bytes)
end

local function b64_bytes(data)
  data = data:gsub("%s", "")
  local padding = select(2, data:gsub("=", ""))
  return math.floor(#data * 3 / 4) - padding
end

--- Width and height of a base64 PNG, from its IHDR chunk.
local function png_size(data)
  local ok, head = pcall(vim.base64.decode, data:gsub("%s", ""):sub(1, 32))
  if not ok or #head < 24 or head:sub(2, 4) ~= "PNG" then
    return nil
  end
  local function u32(at)
    local a, b, c, d = head:byte(at, at + 3)
    return ((a * 256 + b) * 256 + c) * 256 + d
  end
  return u32(17), u32(21)
end

-- The protocol's image types (`imageMimeTypes` in docs/schema/lsp-extension.schema.json;
-- tests/test_contract.lua holds this list to it): base64 data, but SVG, which is XML text.
M.IMAGE_TYPES = { "image/png", "image/jpeg", "image/gif", "image/svg+xml" }

--- One-line description of an image in a mime bundle, or nil.
function M.image_placeholder(data)
  for _, mime in ipairs(M.IMAGE_TYPES) do
    local value = data[mime]
    if value then
      value = join(value)
      local parts = { mime }
      if mime == "image/png" then
        local w, h = png_size(value)
        if w then
          parts[#parts + 1] = ("%d×%d"):format(w, h)
        end
      end
      parts[#parts + 1] = human_size(mime == "image/svg+xml" and #value or b64_bytes(value))
      local text = "[" .. table.concat(parts, ", ") .. "]"
      local plain = data["text/plain"] and join(data["text/plain"])
      if plain and plain ~= "" and not plain:find("\n") then
        text = text .. " " .. plain
      end
      return text
    end
  end
end

--- Text of a mime bundle for a result or display: text/plain, else a placeholder.
local function bundle_lines(data)
  local image = M.image_placeholder(data)
  if image then
    return { image }, "AsyncellImage"
  end
  for _, mime in ipairs({ "text/plain", "text/markdown", "text/latex" }) do
    if data[mime] then
      return split_lines(join(data[mime])), nil
    end
  end
  local mimes = vim.tbl_keys(data)
  table.sort(mimes)
  local described = {}
  for _, mime in ipairs(mimes) do
    local value = data[mime]
    local size = type(value) == "string" and (" " .. human_size(#value)) or ""
    described[#described + 1] = mime .. size
  end
  return { "[" .. (#described > 0 and table.concat(described, ", ") or "empty output") .. "]" },
    "AsyncellImage"
end

--- Lines of one output item {output=..., task=taskId?}.
--- Each line is {text, hl, keep}: `keep` lines stay visible when the block is folded.
--- With `full`, errors include their traceback. `limit` caps the lines of a stream: its
--- first `limit` lines, or its last ones with `tail`.
function M.lines(item, full, limit, tail)
  local output = item.output
  local out = {}
  local prefix = item.task and ("[" .. item.task .. "] ") or ""
  local function add(text, hl, keep)
    out[#out + 1] = { prefix .. text, hl, keep }
  end
  local kind = output.output_type
  if kind == "stream" then
    local hl = output.name == "stderr" and "AsyncellStderr" or "AsyncellStdout"
    local text
    if item.parts then
      text = (tail and limit) and M.stream_tail(item, limit) or M.stream_head(item, limit)
    else
      text = join(output.text)
    end
    local lines = split_lines(text)
    local first = (tail and limit) and math.max(1, #lines - limit + 1) or 1
    for i = first, #lines do
      if limit and #out >= limit then
        break
      end
      add(lines[i], hl)
    end
  elseif kind == "execute_result" or kind == "display_data" then
    local data = output.data or {}
    local lines, hl = bundle_lines(data)
    -- A result is marked "→ " (as the server's result hint is); its execution count is
    -- the block header's `[K]`, not Jupyter's "Out[K]: ".
    local label = kind == "execute_result" and "→ " or ""
    local indent = (" "):rep(vim.fn.strdisplaywidth(label))
    local is_image = M.image_placeholder(data) ~= nil
    for i, line in ipairs(lines) do
      add((i == 1 and label or indent) .. line, hl or (kind == "execute_result" and "AsyncellResult" or "AsyncellDisplay"))
      if is_image then
        -- The full view opens it on <CR>; the folded one names the command.
        out[#out].image = item
        if not full then
          out[#out][1] = out[#out][1] .. "  (:AsyncellOpenImage)"
        end
      end
    end
  elseif kind == "error" then
    local summary = output.ename or "Error"
    if output.evalue and output.evalue ~= "" then
      summary = summary .. ": " .. output.evalue
    end
    local lines = split_lines(summary)
    local traceback = {}
    if full and output.traceback and #output.traceback > 0 then
      for _, entry in ipairs(output.traceback) do
        vim.list_extend(traceback, split_lines(entry))
      end
      -- A Python traceback ends with the same "Name: message" lines as the summary:
      -- shown once, as the summary (highlighted as the error).
      while #traceback > 0 and not traceback[#traceback]:match("%S") do
        traceback[#traceback] = nil
      end
      local n = #lines
      if n > 0 and #traceback >= n then
        local same = true
        for i = 1, n do
          if vim.trim(traceback[#traceback - n + i]) ~= vim.trim(lines[i]) then
            same = false
            break
          end
        end
        if same then
          for _ = 1, n do
            traceback[#traceback] = nil
          end
        end
      end
      for _, line in ipairs(traceback) do
        add(line, "AsyncellTraceback")
      end
    end
    for i, line in ipairs(lines) do
      add((i == 1 and "✗ " or "  ") .. line, "AsyncellError", true)
    end
    if not full and output.traceback and #output.traceback > 0 then
      out[#out][1] = out[#out][1] .. "  (traceback: :AsyncellOutput)"
    end
  else
    add("[" .. tostring(kind) .. " output]", "AsyncellDisplay")
  end
  return out
end

--- Number of lines of a stream item (output.append keeps the counts).
function M.stream_count(item)
  return item.newlines + (item.partial and 1 or 0)
end

--- Where the first `n` lines of a stream's parts end: the part holding the n-th newline
--- and that newline's position in it; nil when the parts hold fewer than `n` newlines.
function M.after_lines(parts, n)
  if n <= 0 then
    return parts[1] and 1 or nil, 0
  end
  local seen = 0
  for i, part in ipairs(parts) do
    local at = 0
    while true do
      local nl = part:find("\n", at + 1, true)
      if not nl then
        break
      end
      seen, at = seen + 1, nl
      if seen >= n then
        return i, at
      end
    end
  end
  return nil
end

--- Text of a stream item: all of it, or just enough for its first `limit` lines.
function M.stream_head(item, limit)
  if not limit then
    if #item.parts > 1 then
      item.parts = { table.concat(item.parts) }
    end
    return item.parts[1] or ""
  end
  local i, at = M.after_lines(item.parts, limit)
  if not i then
    return table.concat(item.parts)
  end
  local taken = vim.list_slice(item.parts, 1, i - 1)
  taken[#taken + 1] = item.parts[i]:sub(1, at)
  return table.concat(taken)
end

--- The pieces in reverse order, joined (stream_tail collects them from the end).
local function concat_reversed(pieces)
  local text = {}
  for k = #pieces, 1, -1 do
    text[#text + 1] = pieces[k]
  end
  return table.concat(text)
end

--- Text of a stream item's last `limit` lines, read from the end: a stream that grows
--- forever (a heartbeat) costs only its tail.
function M.stream_tail(item, limit)
  -- The last `limit` lines start after the newline that ends the line before them: the
  -- (limit+1)-th from the end, or the limit-th when the last line has no newline yet.
  local need = item.partial and limit or limit + 1
  local taken, seen = {}, 0
  for i = #item.parts, 1, -1 do
    local part = item.parts[i]
    for j = #part, 1, -1 do
      if part:byte(j) == 10 then
        seen = seen + 1
        if seen == need then
          taken[#taken + 1] = part:sub(j + 1)
          return concat_reversed(taken)
        end
      end
    end
    taken[#taken + 1] = part
  end
  return concat_reversed(taken)
end

--- Header line of a block: "✓ [3] 0.12s": the state, then the execution count as `[K]`
--- once the host gave one (as the VS Code extension's summaries show it), then the time.
function M.header(block, now_ms)
  local s = block.status
  -- The non-empty parts, space separated: no count before there is one.
  local function line(icon, ...)
    local parts = {}
    for _, part in ipairs({ icon, block.count and ("[%s]"):format(block.count) or "", ... }) do
      if part ~= "" then
        parts[#parts + 1] = part
      end
    end
    if block.label then
      parts[#parts + 1] = block.label
    end
    return table.concat(parts, " ")
  end
  if s == "queued" and block.waiting then
    return line("…", "waiting for the server to start"), "AsyncellHeader"
  elseif s == "queued" then
    return line("…", "queued"), "AsyncellHeader"
  elseif s == "running" then
    return line("●", ("running %.1fs"):format((now_ms - block.started_ms) / 1000)), "AsyncellRunning"
  end
  local duration = block.duration_ms and M.duration(block.duration_ms) or ""
  if s == "ok" then
    return line("✓", duration), "AsyncellOk"
  elseif s == "error" then
    return line("✗", "error", duration), "AsyncellError"
  elseif s == "cancelled" then
    return line("⊘", "interrupted", duration), "AsyncellCancelled"
  elseif s == "dead" then
    return line("✗", "host exited"), "AsyncellError"
  end
  return line("✗", block.message or "failed"), "AsyncellError"
end

function M.duration(ms)
  if ms < 1000 then
    return ("%d ms"):format(math.floor(ms + 0.5))
  elseif ms < 60000 then
    return ("%.1fs"):format(ms / 1000)
  end
  return ("%dm%02ds"):format(math.floor(ms / 60000), math.floor(ms / 1000) % 60)
end

return M
