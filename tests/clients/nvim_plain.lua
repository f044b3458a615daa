-- Plain Neovim 0.11, no asyncell plugin: only vim.lsp.config / vim.lsp.enable, as the
-- README shows. Run with: ASYNCELL_BIN=... ASYNCELL_PYTHON=... WORKDIR=...
--   nvim --headless --clean -l nvim_plain.lua
-- Prints "ok: ..." per check; exits 1 at the first failure.
local bin, python, dir = os.getenv("ASYNCELL_BIN"), os.getenv("ASYNCELL_PYTHON"), os.getenv("WORKDIR")

local shown, custom = {}, {}
-- Neovim's own window/showMessage handler (vim.notify), recording what it shows.
local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
  table.insert(shown, result.message)
  return show_message(err, result, ctx, config)
end
local function fail(what)
  io.stdout:write("\nFAIL: " .. what .. "\n")
  os.exit(1)
end
local function ok(what) io.stdout:write("\nok: " .. what .. "\n") end
local function wait(what, pred, ms)
  if not vim.wait(ms or 20000, pred, 50) then fail(what) end
end
local function find_shown(pattern)
  for _, m in ipairs(shown) do
    if m:find(pattern) then return m end
  end
end

vim.lsp.config("asyncell", {
  cmd = { bin },
  filetypes = { "python" },
  root_markers = { ".git" },
  init_options = { python = python },
})
vim.lsp.enable("asyncell")

vim.cmd.edit(dir .. "/cells.py")
local buf = vim.api.nvim_get_current_buf()
wait("the client attaches", function() return #vim.lsp.get_clients({ bufnr = buf }) > 0 end)
local client = vim.lsp.get_clients({ bufnr = buf })[1]
-- Anything asyncell/* that reached this client (it declared no experimental.asyncell).
local handlers = vim.lsp.handlers
setmetatable(client.handlers, { __index = function(_, method)
  if method:match("^asyncell/") then
    return function() table.insert(custom, method) end
  end
  return handlers[method]
end })
ok("attached")

local function actions(line)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = 0 } },
    context = { diagnostics = {} },
  }
  local reply = client:request_sync("textDocument/codeAction", params, 5000, buf)
  return reply and reply.result or {}
end
local function run(line, title)
  for _, action in ipairs(actions(line)) do
    if action.title == title then
      local started = vim.uv.hrtime()
      -- What vim.lsp.buf.code_action() does with a chosen action that has a command.
      client:exec_cmd(action.command, { bufnr = buf })
      return (vim.uv.hrtime() - started) / 1e9
    end
  end
  fail("no code action " .. title .. " at line " .. line)
end

run(2, "Run cell 1")
wait("cell 1 done", function() return find_shown("asyncell: cell 1 ✓") end)
run(5, "Run cell 2")
wait("cell 2 result shown", function() return find_shown("asyncell: cell 2 → 42") end)
ok("result shown with vim.notify: " .. find_shown("cell 2 →"))

vim.lsp.inlay_hint.enable(true, { bufnr = buf })
local function hint_labels()
  local labels = {}
  for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
    table.insert(labels, item.inlay_hint.position.line .. ":" .. item.inlay_hint.label)
  end
  return table.concat(labels, " | ")
end
-- Waits until Neovim has a hint starting with `label` at the end of (0-based) `line`.
local function wait_hint(line, label)
  local want = ("%d:%d:%s"):format(line, #vim.api.nvim_buf_get_lines(buf, line, line + 1, true)[1], label)
  local found = vim.wait(20000, function()
    for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
      local hint = item.inlay_hint
      if ("%d:%d:%s"):format(hint.position.line, hint.position.character, hint.label):sub(1, #want) == want then
        return true
      end
    end
  end, 50)
  if not found then fail("inlay hint " .. want .. " (have: " .. hint_labels() .. ")") end
end
wait_hint(5, "→ 42")
ok("inlay hint " .. hint_labels())

-- The full output is one code action away: Neovim opens it (window/showDocument).
run(5, "Show the output of cell 2")
wait("the output document", function()
  local lines = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  return vim.api.nvim_buf_get_name(0):find("cell%-2%.txt$") and lines:find("→ 42", 1, true)
end)
ok("Show output opened " .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":t"))
vim.api.nvim_set_current_buf(buf)

run(11, "Run cell 3")
wait("failure diagnostic", function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local related = vim.tbl_get(d, "user_data", "lsp", "relatedInformation", 1, "message") or ""
    if d.source == "asyncell run" and d.lnum == 9 and d.message:find("RuntimeError: boom")
      and related:find("Traceback", 1, true) then
      return true
    end
  end
end)
wait("failure shown", function() return find_shown("cell 3 failed: RuntimeError: boom") end)
ok("failure: diagnostic on the raise line (traceback in its related information) and an error message")
wait_hint(11, "✗ RuntimeError: boom")
ok("failure inlay hint: " .. hint_labels())

-- Editing the failed cell clears its diagnostic.
vim.api.nvim_buf_set_lines(buf, 9, 10, false, { '    raise RuntimeError("boom!")' })
wait("diagnostic cleared on edit", function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "asyncell run" then return false end
  end
  return true
end)
ok("edited cell: its run diagnostic is gone")

local took = run(14, "Run cell 4")
if took > 2 then fail(("executeCommand took %.1f s"):format(took)) end
local started = vim.uv.hrtime()
actions(2)
if (vim.uv.hrtime() - started) / 1e9 > 2 then fail("a request waited for the running cell") end
ok(("30 s cell queued in %.2f s; the editor keeps answering"):format(took))
local status = ""
-- The progress names the cell, counts the time and shows the cell's last output line.
wait("progress", function()
  status = vim.lsp.status()
  return status:find("Running cell 4 · [%d.]+ m?s · sleeping") ~= nil
end, 5000)
ok("progress: " .. status)
run(14, "Interrupt the running cell")
wait("interrupted", function() return find_shown("cell 4 was interrupted") end)
ok("interrupted")
wait_hint(15, "⊘ interrupted")
ok("interrupted inlay hint: " .. hint_labels())

-- A background task that fails after its cell finished is an error message.
run(18, "Run cell 5")
wait("the failed task shown", function() return find_shown('background task "crasher" %(.*%) failed: RuntimeError: task blew up') end)
ok("failed background task: " .. find_shown("task blew up"))

if #custom > 0 then fail("asyncell/* notifications reached plain Neovim: " .. table.concat(custom, ", ")) end
ok("no asyncell/* notifications")
client:stop(true)
os.exit(0)
