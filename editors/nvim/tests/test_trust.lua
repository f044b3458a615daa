-- Workspace trust: the plugin asks once per workspace whether its .venv may run cells,
-- remembers the answer in stdpath("state")/asyncell/trust.json, and sends it to the
-- server (initializationOptions.trustedWorkspace). The .venv/bin/python here is a script
-- that touches a marker file, then execs the real python: "it ran" is a file on disk.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

-- No `python` option: the interpreter is the server's choice, so trust matters.
require("asyncell").setup({ cmd = { H.bin }, status_interval = 300 })

local questions = {}
local answer = "trust"
vim.ui.select = function(items, opts, on_choice)
  questions[#questions + 1] = { prompt = opts.prompt, items = items }
  local index = answer == "trust" and 1 or 2
  vim.schedule(function()
    on_choice(items[index], index)
  end)
end

--- A project whose .venv/bin/python touches `<project>/VENV_RAN`.
local function project_with_venv()
  local dir = H.project()
  vim.fn.mkdir(dir .. "/.venv/bin", "p")
  local python = dir .. "/.venv/bin/python"
  vim.fn.writefile({
    "#!/bin/sh",
    ("touch '%s/VENV_RAN'"):format(dir),
    ("exec '%s' \"$@\""):format(H.python),
  }, python)
  vim.fn.setfperm(python, "rwxr-xr-x")
  return dir, dir .. "/VENV_RAN"
end

local function run_and_wait(buf, needle)
  H.cursor_to(needle)
  vim.cmd("AsyncellRunCell")
  H.wait_output(buf, "✓")
end

local function remembered()
  local lines = vim.fn.readfile(require("asyncell.trust").file())
  return vim.json.decode(table.concat(lines, "\n"))
end

local trusted_dir, trusted_marker

H.test("asks once for a workspace with a .venv; trusting it runs cells there", function()
  trusted_dir, trusted_marker = project_with_venv()
  answer = "trust"
  local buf = H.open("a.py", "# %%\nprint('in the trusted workspace')\n", trusted_dir)
  H.wait("the trust question", function()
    return #questions == 1
  end)
  H.contains(questions[1].prompt, trusted_dir, "the question names the workspace")
  H.contains(questions[1].items[1], trusted_dir .. "/.venv/bin/python", "and the interpreter")
  H.wait("the answer to be saved", function()
    return vim.uv.fs_stat(require("asyncell.trust").file()) ~= nil
  end)
  H.eq(true, remembered()[vim.uv.fs_realpath(trusted_dir)], "trust.json")
  run_and_wait(buf, "print('in the trusted workspace')")
  H.truthy(vim.uv.fs_stat(trusted_marker), "the trusted .venv/bin/python ran")
  H.eq(1, #questions, "asked once")
end)

H.test("an untrusted workspace's .venv never runs; the cell runs on python3", function()
  local dir, marker = project_with_venv()
  answer = "distrust"
  local buf = H.open("b.py", "# %%\nprint('in the untrusted workspace')\n", dir)
  H.wait("the trust question", function()
    return #questions == 2
  end)
  H.wait("the answer to be saved", function()
    return remembered()[vim.uv.fs_realpath(dir)] == false
  end)
  run_and_wait(buf, "print('in the untrusted workspace')")
  H.contains(H.output_text(buf), "in the untrusted workspace")
  H.eq(nil, vim.uv.fs_stat(marker), "the untrusted .venv/bin/python ran")
end)

H.test("the answer is remembered: a new server for the workspace does not ask again", function()
  for _, client in ipairs(require("asyncell.lsp").clients()) do
    client:stop(true)
  end
  H.wait("the servers to stop", function()
    return #require("asyncell.lsp").clients() == 0
  end)
  -- Forget this session's memory of what was asked: only trust.json remains.
  package.loaded["asyncell.trust"] = nil
  vim.cmd("silent! %bwipeout!")
  os.remove(trusted_marker)
  local buf = H.open("c.py", "# %%\nprint('again')\n", trusted_dir)
  run_and_wait(buf, "print('again')")
  H.eq(2, #questions, "no new question")
  H.truthy(vim.uv.fs_stat(trusted_marker), "the remembered trust was sent to the new server")
end)

H.test(":AsyncellTrust no takes trust back for hosts started afterwards", function()
  local buf = vim.api.nvim_get_current_buf()
  vim.cmd("AsyncellTrust no")
  H.eq(false, remembered()[vim.uv.fs_realpath(trusted_dir)], "trust.json")
  os.remove(trusted_marker)
  local restarted = false
  require("asyncell.exec").restart(buf, function()
    restarted = true
  end)
  H.wait("the restart", function()
    return restarted
  end)
  run_and_wait(buf, "print('again')")
  H.eq(nil, vim.uv.fs_stat(trusted_marker), "the .venv ran after trust was taken back")
end)

H.run()
