-- What a user watches while cells run, on the real host: a folded live heartbeat shows
-- its newest beat, the traceback float has each line once and wraps long ones, the
-- variables float follows a running cell, and images open in the system viewer (a
-- stand-in xdg-open on $PATH, which vim.ui.open runs) or are saved.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup({ max_lines = 4, variables_interval = 200 })

local function block_text(buf, needle)
  return H.block_text(buf, needle)
end

local function newest_beat(buf)
  local n
  for _, line in ipairs((H.block_below(buf, "background.start_soon") or { lines = {} }).lines) do
    n = tonumber(line:match("beat (%d+)")) or n
  end
  return n
end

H.test("a folded live heartbeat shows its newest beats under 'N earlier lines'", function()
  local buf = H.open("beat.py", table.concat({
    "# %%",
    "import trio",
    "async def heartbeat():",
    "    n = 0",
    "    while True:",
    "        n += 1",
    "        print('beat', n)",
    "        await trio.sleep(0.02)",
    "background.start_soon(heartbeat, name='heartbeat')",
  }, "\n"))
  H.cursor_to("background.start_soon")
  vim.cmd("AsyncellRunCell")
  H.wait("beat 12 on screen", function()
    return (newest_beat(buf) or 0) >= 12
  end)
  local entry = H.block_below(buf, "background.start_soon")
  H.eq(1 + 1 + 4, #entry.lines, "header + 'earlier' line + max_lines")
  H.truthy(entry.lines[2]:match("… %d+ earlier lines %(:AsyncellOutput%)"), "the earlier-lines line: " .. entry.lines[2])
  -- the last line is the newest beat, and it keeps moving
  local seen = newest_beat(buf)
  H.truthy(entry.lines[#entry.lines]:find("beat " .. seen, 1, true), "the newest beat is the last line")
  H.wait("a newer beat on screen", function()
    return newest_beat(buf) > seen + 5
  end)
  vim.cmd("AsyncellRestart")
end)

H.test("the traceback float shows the error line once and wraps long lines", function()
  local hint = "fix: " .. ("pass the argument as a keyword, as the documentation of this function explains; "):rep(3)
  local buf = H.open("tb.py", "# %%\ndef fail():\n    raise ValueError(" .. vim.inspect(hint) .. ")\nfail()\n")
  H.cursor_to("fail()")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "✗ error")
  vim.cmd("AsyncellOutput")
  local win = vim.api.nvim_get_current_win()
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  H.contains(text, "Traceback")
  H.contains(text, "raise ValueError", "the traceback's source line")
  local _, count = text:gsub("ValueError: fix:", "")
  H.eq(1, count, "the error line appears once in:\n" .. text)
  H.truthy(vim.wo[win].wrap, "the float wraps")
  local width = vim.api.nvim_win_get_width(win)
  H.truthy(#hint > width, "the hint is wider than the float")
  local height = vim.api.nvim_win_text_height(win, {}).all
  H.eq(height, vim.api.nvim_win_get_height(win), "the float is as tall as its wrapped text")
  vim.cmd("normal q")
end)

H.test(":AsyncellVariables follows a cell while it awaits, and <CR> inspects", function()
  local buf = H.open("vars.py", table.concat({
    "# %%",
    "import trio",
    "def greet(name):",
    "    'Say hello to someone.'",
    "    return 'hello ' + name",
    "table = {'a': 1, 'b': 2}",
    "",
    "# %%",
    "for beat in range(100000):",
    "    await trio.sleep(0.05)",
  }, "\n"))
  -- before any cell ran there is no namespace: the float says what to do
  vim.cmd("AsyncellVariables")
  H.wait("the float to say there is no host yet", function()
    return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n"):find("run a cell first", 1, true)
  end, 5000)
  vim.cmd("normal q")
  H.eq(buf, vim.api.nvim_get_current_buf(), "q closes the float")
  H.cursor_to("import trio")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "✓")
  H.cursor_to("for beat in")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "● running")
  vim.cmd("AsyncellVariables")
  local fbuf = vim.api.nvim_get_current_buf()
  H.truthy(vim.api.nvim_win_get_config(0).relative ~= "", "a float")
  local function beat_value()
    for _, line in ipairs(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false)) do
      local value = line:match("^  beat%s+int%s+.-(%d+)%s*$")
      if value then
        return tonumber(value)
      end
    end
  end
  local first = H.wait("beat in the variables float", beat_value)
  H.wait("beat to change in the float while the cell awaits", function()
    return beat_value() and beat_value() >= first + 3
  end)
  local text = table.concat(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false), "\n")
  H.contains(text, "table")
  H.contains(text, "len 2", "a dict's size")
  H.contains(text, "function", "greet's type")
  H.contains(require("asyncell").status(buf), "busy", "the cell is still running")
  -- <CR> on greet's row
  for i, line in ipairs(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false)) do
    if line:match("^  greet ") then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
    end
  end
  vim.api.nvim_feedkeys(vim.keycode("<CR>"), "mx", false)
  local ibuf = H.wait("the inspect float", function()
    local b = vim.api.nvim_get_current_buf()
    return vim.bo[b].filetype == "asyncell-inspect" and b
  end)
  local inspected = table.concat(vim.api.nvim_buf_get_lines(ibuf, 0, -1, false), "\n")
  H.contains(inspected, "Say hello to someone.", "the docstring")
  H.contains(inspected, "(name)", "the signature")
  vim.cmd("normal q")
  vim.cmd("normal q")
  H.truthy(vim.api.nvim_win_get_config(0).relative == "", "both floats closed")
  vim.cmd("AsyncellInterrupt")
  H.wait_output(buf, "⊘ interrupted")
end)

-- A real 2×1 PNG made by the host, and its bytes written by the cell for comparison.
local IMAGE_CELL = table.concat({
  "# %%",
  "import struct, zlib",
  "def png():",
  "    raw = b'\\x00\\xff\\x00\\x00\\x00\\x00\\xff'",
  "    def chunk(kind, data):",
  "        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))",
  "    return (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 2, 1, 8, 2, 0, 0, 0))",
  "            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))",
  "open(EXPECTED, 'wb').write(png())",
  "class Dot:",
  "    def __repr__(self):",
  "        return '<Dot>'",
  "    def _repr_png_(self):",
  "        return png()",
  "Dot()",
}, "\n")

local function read_bytes(path)
  local file = assert(io.open(path, "rb"))
  local bytes = file:read("*a")
  file:close()
  return bytes
end

H.test(":AsyncellOpenImage writes the PNG to a temp file and opens it with the system viewer; :AsyncellSaveImage saves it", function()
  local dir = H.project()
  local expected = dir .. "/expected.png"
  -- the system viewer: an xdg-open first on $PATH that records what it was asked to open
  local bin = dir .. "/bin"
  vim.fn.mkdir(bin, "p")
  local record = dir .. "/opened.txt"
  vim.fn.writefile({ "#!/bin/sh", ('printf "%%s" "$1" > %s'):format(vim.fn.shellescape(record)) }, bin .. "/xdg-open")
  vim.fn.setfperm(bin .. "/xdg-open", "rwxr-xr-x")
  vim.env.PATH = bin .. ":" .. vim.env.PATH
  local buf = H.open("image.py", IMAGE_CELL:gsub("EXPECTED", vim.inspect(expected)), dir)
  H.cursor_to("Dot()")
  vim.cmd("AsyncellRunCell")
  local text = H.wait_output(buf, "image/png")
  H.contains(text, "[image/png, 2×1, ", "the placeholder")
  H.contains(text, "[image/png, 2×1, 70 B] <Dot>  (:AsyncellOpenImage)", "the placeholder says how to see it")
  local png = read_bytes(expected)
  H.eq("\137PNG", png:sub(1, 4), "the cell wrote a PNG")
  H.cursor_to("Dot()")
  vim.cmd("AsyncellOpenImage")
  local opened = H.wait("the viewer to be started", function()
    return vim.uv.fs_stat(record) and read_bytes(record) ~= "" and read_bytes(record)
  end, 10000)
  H.truthy(opened:match("%.png$"), "a .png file: " .. opened)
  H.eq(png, read_bytes(opened), "the temp file holds the PNG's bytes")
  vim.cmd("AsyncellSaveImage " .. vim.fn.fnameescape(dir .. "/saved.png"))
  H.eq(png, read_bytes(dir .. "/saved.png"), "the saved file holds the PNG's bytes")
  -- in the full view, <CR> on the placeholder opens it too
  vim.fn.delete(record)
  H.cursor_to("Dot()")
  vim.cmd("AsyncellOutput")
  for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    if line:find("image/png", 1, true) then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
    end
  end
  vim.api.nvim_feedkeys(vim.keycode("<CR>"), "mx", false)
  local again = H.wait("the viewer from the full view", function()
    return vim.uv.fs_stat(record) and read_bytes(record) ~= "" and read_bytes(record)
  end, 10000)
  H.eq(png, read_bytes(again), "the image opened from the full view")
  vim.cmd("normal q")
end)

H.test("with image.nvim installed, a PNG output is handed to it under its cell and cleared on re-run", function()
  -- image.nvim needs a kitty/ueberzug terminal, which a headless Neovim has not: this
  -- stand-in on 'runtimepath' has its API (require("image").from_file(path, opts) ->
  -- image with :render() and :clear(), as in image.nvim's lua/image/init.lua) and records
  -- the calls, so the test checks what the plugin hands over.
  local dir = H.project()
  vim.fn.mkdir(dir .. "/rtp/lua/image", "p")
  vim.fn.writefile({
    "local M = { calls = {} }",
    "function M.from_file(path, opts)",
    "  local f = io.open(path, 'rb'); local bytes = f:read('*a'); f:close()",
    "  local call = { path = path, bytes = bytes, opts = opts }",
    "  table.insert(M.calls, call)",
    "  return { render = function() call.rendered = true end, clear = function() call.cleared = true end }",
    "end",
    "return M",
  }, dir .. "/rtp/lua/image/init.lua")
  vim.opt.runtimepath:append(dir .. "/rtp")
  package.loaded["image"] = nil
  local expected = dir .. "/expected.png"
  local buf = H.open("inline.py", IMAGE_CELL:gsub("EXPECTED", vim.inspect(expected)), dir)
  H.cursor_to("Dot()")
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "image/png")
  local image = require("image")
  local call = H.wait("image.nvim's from_file", function()
    return image.calls[1]
  end)
  H.eq(read_bytes(expected), call.bytes, "the file given to image.nvim holds the PNG")
  H.eq(buf, call.opts.buffer, "bound to the buffer")
  H.eq(vim.api.nvim_get_current_win(), call.opts.window, "and its window")
  H.eq(H.cursor_to("Dot()") - 1, call.opts.y, "at the cell's last line (0-based), where the block is")
  H.truthy(call.opts.with_virtual_padding and call.rendered, "rendered with room made for it")
  vim.cmd("AsyncellRunCell")
  H.wait("the old image cleared on re-run", function()
    return call.cleared and image.calls[2]
  end)
  vim.opt.runtimepath:remove(dir .. "/rtp")
  package.loaded["image"] = nil
end)

H.run()
