-- A tiny test harness for headless Neovim (`nvim --headless --clean -n -l <file>`).
-- Test files call H.test(name, fn) and end with H.run(), which prints one line per test
-- and a final "RESULT <passed> <failed>" line to stdout (run.sh sums them), then exits.
local H = {}

H.bin = vim.env.ASYNCELL_BIN or "asyncell"
H.python = vim.env.ASYNCELL_PYTHON or "python3"
H.root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")

local tests = {}
local out = io.stdout

local function say(line)
  out:write(line .. "\n")
  out:flush()
end
H.say = say

function H.test(name, fn)
  tests[#tests + 1] = { name = name, fn = fn }
end

--- Waits until `cond()` is truthy (processing events meanwhile); fails with `what`.
function H.wait(what, cond, timeout)
  local value
  local ok = vim.wait(timeout or 20000, function()
    value = cond()
    return value
  end, 20)
  if not ok then
    error("timed out waiting for " .. what, 2)
  end
  return value
end

function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(("%s: expected %s, got %s"):format(what or "value", vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function H.truthy(value, what)
  if not value then
    error((what or "assertion") .. " failed", 2)
  end
  return value
end

local function join_lines(lines)
  return table.concat(lines, "\n")
end

--- Asserts `text` contains `needle` (plain).
function H.contains(text, needle, what)
  if type(text) == "table" then
    text = join_lines(text)
  end
  if not text:find(needle, 1, true) then
    error(("%s: %q not found in:\n%s"):format(what or "text", needle, text), 2)
  end
end

function H.not_contains(text, needle, what)
  if type(text) == "table" then
    text = join_lines(text)
  end
  if text:find(needle, 1, true) then
    error(("%s: %q unexpectedly found in:\n%s"):format(what or "text", needle, text), 2)
  end
end

local tmp_root = vim.env.ASYNCELL_TEST_TMP or vim.fn.tempname()
vim.fn.mkdir(tmp_root, "p")
local counter = 0

--- A fresh directory (with a pyproject.toml so it is the LSP root).
function H.project(pyproject)
  counter = counter + 1
  local dir = ("%s/project%d"):format(tmp_root, counter)
  vim.fn.mkdir(dir, "p")
  vim.fn.writefile(vim.split(pyproject or "[project]\nname = 'demo'\n", "\n"), dir .. "/pyproject.toml")
  return dir
end

--- Sets asyncell up against the binary and host python under test.
function H.setup(opts)
  require("asyncell").setup(vim.tbl_extend("force", {
    cmd = { H.bin },
    python = H.python,
    status_interval = 300,
  }, opts or {}))
end

--- Writes `text` to `name` in a fresh project, edits it and waits for the client.
function H.open(name, text, dir)
  dir = dir or H.project()
  local path = dir .. "/" .. name
  vim.fn.writefile(vim.split(text, "\n", { plain = true }), path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  H.wait("asyncell to attach", function()
    local client = require("asyncell.lsp").client(buf)
    return client and client.initialized
  end)
  return buf, path
end

--- Puts the binary under test at `path` as an installer would: a real executable file
--- (a hard link, else a copy), so whatever starts `path` runs the real server.
function H.install_binary(path)
  vim.fn.mkdir(vim.fs.dirname(path), "p")
  if not vim.uv.fs_link(H.bin, path) then
    assert(vim.uv.fs_copyfile(H.bin, path))
    vim.fn.setfperm(path, "rwxr-xr-x")
  end
  return path
end

--- <dir>/.venv as `pip install asyncell` (or uv) leaves it: bin/asyncell, pyvenv.cfg, the
--- package, and site-packages/asyncell-0.1.0.dist-info whose INSTALLER names `installer`.
--- Returns the path of .venv/bin/asyncell.
function H.venv_with_asyncell(dir, installer)
  local venv = dir .. "/.venv"
  local exe = H.install_binary(venv .. "/bin/asyncell")
  vim.fn.writefile({ "home = /usr/bin", "include-system-site-packages = false", "version = 3.11.2" }, venv .. "/pyvenv.cfg")
  local site = venv .. "/lib/python3.11/site-packages"
  vim.fn.mkdir(site .. "/asyncell", "p")
  vim.fn.writefile({}, site .. "/asyncell/__init__.py")
  local dist_info = site .. "/asyncell-0.1.0.dist-info"
  vim.fn.mkdir(dist_info, "p")
  vim.fn.writefile({ installer or "pip" }, dist_info .. "/INSTALLER")
  vim.fn.writefile({ "Metadata-Version: 2.4", "Name: asyncell", "Version: 0.1.0" }, dist_info .. "/METADATA")
  return exe
end

--- The executables of the running processes (/proc/<pid>/exe), as a set: what really runs.
function H.running_executables()
  local set = {}
  for name in vim.fs.dir("/proc") do
    if name:match("^%d+$") then
      local exe = vim.uv.fs_readlink("/proc/" .. name .. "/exe")
      if exe then
        set[exe] = true
      end
    end
  end
  return set
end

--- The first line `asyncell --version` of the binary under test prints.
function H.bin_version()
  local result = vim.system({ H.bin, "--version" }, { text = true }):wait(10000)
  return vim.split(vim.trim(result.stdout or ""), "\n", { plain = true })[1]
end

--- :checkhealth asyncell, read back from the health buffer (which is then wiped).
function H.checkhealth()
  vim.cmd("checkhealth asyncell")
  local buf = H.wait("the health buffer", function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.bo[b].filetype == "checkhealth" then
        local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
        if text:find("trio", 1, true) or text:find("python `", 1, true) then
          return b
        end
      end
    end
  end)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.cmd("bwipeout! " .. buf)
  return lines
end

--- The lines of `lines` that contain `word`.
function H.matching(lines, word)
  return vim.tbl_filter(function(line)
    return line:find(word, 1, true) ~= nil
  end, lines)
end

--- Moves the cursor to the first line containing `needle` (1-based row returned).
function H.cursor_to(needle)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:find(needle, 1, true) then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
      return i
    end
  end
  error("no line contains " .. needle)
end

--- The output block anchored on the row of the last line containing `needle`, or nil.
function H.block_below(buf, needle)
  local row
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find(needle, 1, true) then
      row = i - 1
    end
  end
  for _, entry in ipairs(H.outputs(buf)) do
    if entry.row == row then
      return entry
    end
  end
end

--- The text of that block ("" when there is none).
function H.block_text(buf, needle)
  local entry = H.block_below(buf, needle)
  return entry and table.concat(entry.lines, "\n") or ""
end

--- The output extmarks of a buffer: list of {row, lines = {text...}, hls = {{hl...}...}}.
function H.outputs(buf)
  local ns = require("asyncell.outputs").ns
  local result = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    local details = mark[4]
    local entry = { row = mark[2], lines = {}, hls = {} }
    for _, chunks in ipairs(details.virt_lines or {}) do
      local text, hls = {}, {}
      for _, chunk in ipairs(chunks) do
        text[#text + 1] = chunk[1]
        hls[#hls + 1] = chunk[2]
      end
      entry.lines[#entry.lines + 1] = table.concat(text)
      entry.hls[#entry.hls + 1] = hls
    end
    result[#result + 1] = entry
  end
  return result
end

--- All virtual-line text of a buffer, one string.
function H.output_text(buf)
  local all = {}
  for _, entry in ipairs(H.outputs(buf)) do
    vim.list_extend(all, entry.lines)
  end
  return join_lines(all)
end

--- `text` without the execution counts of block headers ("✗ [4] error 1 ms" becomes
--- "✗ error 1 ms"), for needles about a state whatever its count.
function H.without_counts(text)
  return (text:gsub("([✓✗⊘●…]) %[%d+%]", "%1"))
end

--- Waits until the buffer's virtual lines contain `needle` (also when a header's `[K]`
--- stands between a state and its words: "✗ error" is found in "✗ [4] error");
--- returns the text.
function H.wait_output(buf, needle, timeout)
  local text
  local ok = vim.wait(timeout or 20000, function()
    text = H.output_text(buf)
    return (text:find(needle, 1, true) or H.without_counts(text):find(needle, 1, true)) ~= nil
  end, 20)
  if not ok then
    error(("timed out waiting for %q in the outputs:\n%s"):format(needle, text), 2)
  end
  return text
end

--- Runs every registered test; prints results; exits nvim with the failure count.
function H.run()
  local passed, failed = 0, 0
  for _, t in ipairs(tests) do
    local started = vim.uv.hrtime()
    local ok, err = xpcall(t.fn, debug.traceback)
    local ms = (vim.uv.hrtime() - started) / 1e6
    if ok then
      passed = passed + 1
      say(("ok   %s (%.0f ms)"):format(t.name, ms))
    else
      failed = failed + 1
      say(("FAIL %s (%.0f ms)\n%s"):format(t.name, ms, tostring(err):gsub("\n", "\n     ")))
    end
  end
  say(("RESULT %d %d"):format(passed, failed))
  for _, client in ipairs(vim.lsp.get_clients()) do
    pcall(function()
      client:stop(true)
    end)
  end
  vim.cmd("cquit " .. (failed > 0 and 1 or 0))
end

return H
