-- A headless tour: opens a `# %%` file, runs its cells on a real trio host and prints
-- what the window would show (buffer lines, diagnostics, virtual lines, statusline,
-- :AsyncellTasks). From the repository root:
--
--   nvim --headless --clean -n --cmd "set rtp^=editors/nvim" -l editors/nvim/tour.lua
--
-- ASYNCELL_BIN (default target/debug/asyncell) and ASYNCELL_PYTHON (default
-- .venv/bin/python, which needs trio) pick the server and the host's interpreter.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h")
local out = io.stdout

local function say(text)
  out:write(text .. "\n")
  out:flush()
end

local bin = vim.env.ASYNCELL_BIN or (root .. "/target/debug/asyncell")
local python = vim.env.ASYNCELL_PYTHON or (root .. "/.venv/bin/python")
if vim.fn.executable(bin) == 0 then
  say("no asyncell binary at " .. bin .. ": run `cargo build` first (or set ASYNCELL_BIN)")
  vim.cmd("cquit 2")
end
if vim.fn.executable(python) == 0 then
  python = "python3"
end

require("asyncell").setup({ cmd = { bin }, python = python, max_lines = 5 })

local dir = vim.fn.tempname()
vim.fn.mkdir(dir, "p")
vim.fn.writefile({ "[tool.asyncell]", 'loop = "trio"' }, dir .. "/pyproject.toml")
vim.fn.writefile({
  "# %%",
  "import trio",
  "",
  "async def heartbeat():",
  "    n = 0",
  "    while True:",
  "        n += 1",
  "        print('beat', n)",
  "        await trio.sleep(0.2)",
  "",
  "background.start_soon(heartbeat, name='heartbeat')",
  "",
  "# %%",
  "for i in range(12):",
  "    print('row', i)",
  "",
  "# %%",
  "import sys",
  "print('careful', file=sys.stderr)",
  "{'answer': 6 * 7}",
  "",
  "# %%",
  "1 / 0",
  "",
  "# %%",
  "await trio.sleep(60)",
  "",
  "# %%",
  "trio.run(trio.sleep, 0)",
}, dir .. "/tour.py")

-- (headless: the default 80x24 grid)
vim.cmd("edit " .. dir .. "/tour.py")
local buf = vim.api.nvim_get_current_buf()

local function wait(ms, cond)
  vim.wait(ms, cond or function()
    return false
  end, 20)
end

local function screen(title)
  say("")
  say("── " .. title .. " " .. ("─"):rep(math.max(0, 70 - #title)))
  local marks = vim.api.nvim_buf_get_extmarks(buf, require("asyncell.outputs").ns, 0, -1, { details = true })
  local below = {}
  for _, mark in ipairs(marks) do
    below[mark[2]] = mark[4].virt_lines
  end
  local diags = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    diags[d.lnum] = d
  end
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local row = i - 1
    local d = diags[row]
    local sign = d and "E" or " "
    say(("%s %2d  %s%s"):format(sign, i, line, d and ("    ■ " .. d.code .. " " .. d.message:sub(1, 60) .. "…") or ""))
    for _, chunks in ipairs(below[row] or {}) do
      local text = {}
      for _, chunk in ipairs(chunks) do
        text[#text + 1] = chunk[1]
      end
      say("        " .. table.concat(text))
    end
  end
  say(("statusline: %s"):format(require("asyncell").status()))
end

local function run(needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find(needle, 1, true) then
      vim.api.nvim_win_set_cursor(0, { i, 0 })
      vim.cmd("AsyncellRunCell")
      return
    end
  end
end

local function idle()
  wait(10000, function()
    return #require("asyncell.outputs").running() == 0
  end)
end

wait(10000, function()
  return #vim.diagnostic.get(buf) > 0
end)
screen("opened: the LOOP200 diagnostic on the last cell")

run("background.start_soon")
idle()
run("print('row', i)")
idle()
run("{'answer'")
idle()
run("1 / 0")
idle()
wait(700)
screen("ran four cells (heartbeat, a long loop, stderr + result, an error)")

run("trio.sleep(60)")
wait(1200)
screen("a cell sleeping for 60 s")
vim.cmd("AsyncellInterrupt")
idle()
wait(100)
screen(":AsyncellInterrupt")

vim.cmd("AsyncellTasks")
wait(500)
say("")
say("── :AsyncellTasks " .. ("─"):rep(53))
for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  say(line)
end
vim.cmd("close")

vim.cmd("AsyncellVariables")
wait(5000, function()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n"):find("heartbeat", 1, true) ~= nil
end)
say("")
say("── :AsyncellVariables (a float, refreshed while open) " .. ("─"):rep(16))
for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  say(line)
end
vim.cmd("normal q")

for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  if line == "1 / 0" then
    vim.api.nvim_win_set_cursor(0, { i, 0 })
  end
end
require("asyncell").output()
say("")
say("── :AsyncellOutput on the error cell (a float) " .. ("─"):rep(23))
for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  say(line)
end
vim.cmd("close")

vim.cmd("AsyncellRestart")
wait(5000, function()
  return #vim.api.nvim_buf_get_extmarks(buf, require("asyncell.outputs").ns, 0, -1, {}) == 0
end)
wait(300)
screen(":AsyncellRestart (outputs cleared, fresh host)")

for _, client in ipairs(vim.lsp.get_clients()) do
  pcall(function()
    client:stop(true)
  end)
end
vim.cmd("qall!")
