-- :checkhealth asyncell, read back from the health buffer.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

local function checkhealth()
  vim.cmd("checkhealth asyncell")
  local buf = H.wait("the health buffer", function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.bo[b].filetype == "checkhealth" then
        local lines = vim.api.nvim_buf_get_lines(b, 0, -1, false)
        if table.concat(lines, "\n"):find("trio", 1, true) or table.concat(lines, "\n"):find("python `", 1, true) then
          return b
        end
      end
    end
  end)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.cmd("bwipeout! " .. buf)
  return lines
end

local function matching(lines, word)
  return vim.tbl_filter(function(line)
    return line:find(word, 1, true) ~= nil
  end, lines)
end

H.test("checkhealth passes with the real binary and a python that has trio", function()
  H.setup()
  local lines = checkhealth()
  local text = table.concat(lines, "\n")
  H.eq({}, matching(lines, "ERROR"), "ERROR lines")
  local ok = table.concat(matching(lines, "OK"), "\n")
  H.contains(ok, "server binary: " .. H.bin)
  H.contains(ok, "version: asyncell ")
  H.contains(ok, "python: " .. H.python .. " (from setup({ python = ... }))")
  H.contains(ok, "Python 3.")
  H.contains(ok, "trio ")
  H.contains(ok, "imports there")
  H.contains(text, "setup() was called")
end)

H.test("checkhealth reports a missing binary and a missing python, each with the fix", function()
  H.setup({ cmd = { "/nonexistent/asyncell" }, python = "/nonexistent/bin/python" })
  local lines = checkhealth()
  local errors = table.concat(matching(lines, "ERROR"), "\n")
  H.contains(errors, "server binary `/nonexistent/asyncell` not found")
  H.contains(errors, "python `/nonexistent/bin/python` (from setup({ python = ... })) is not executable")
  local text = table.concat(lines, "\n")
  H.contains(text, "cargo install --path server", "fix for the binary")
  H.contains(text, "python = '/path/to/venv/bin/python'", "fix for python")
end)

H.test("checkhealth reports trio missing with the pip command (python argv list)", function()
  -- -S skips site-packages, so trio cannot import
  H.setup({ python = { H.python, "-S" } })
  local lines = checkhealth()
  local errors = table.concat(matching(lines, "ERROR"), "\n")
  H.contains(errors, "trio does not import there")
  H.contains(table.concat(lines, "\n"), H.python .. " -S -m pip install trio", "fix for trio")
  -- with loop = asyncio it is only a warning
  H.setup({ python = { H.python, "-S" }, loop = "asyncio" })
  lines = checkhealth()
  H.eq({}, matching(lines, "ERROR"), "ERROR lines with loop = asyncio")
  H.contains(table.concat(matching(lines, "WARNING"), "\n"), "fine with loop = 'asyncio'")
end)

H.run()
