-- The help file stays in step with the code: every command, highlight group and default
-- keymap is documented, and :helptags accepts the file.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

local doc = H.root .. "/editors/nvim/doc/asyncell.txt"

local function tags()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  vim.fn.writefile(vim.fn.readfile(doc), dir .. "/asyncell.txt")
  vim.v.errmsg = ""
  vim.cmd("helptags " .. vim.fn.fnameescape(dir))
  H.eq("", vim.v.errmsg, "helptags errors")
  local set = {}
  for _, line in ipairs(vim.fn.readfile(dir .. "/tags")) do
    set[line:match("^[^\t]+")] = true
  end
  return set
end

H.test("every :Asyncell command has a help tag", function()
  local set = tags()
  local commands = vim.tbl_filter(function(name)
    return name:match("^Asyncell")
  end, vim.tbl_keys(vim.api.nvim_get_commands({})))
  H.eq(19, #commands, "commands defined by plugin/asyncell.lua")
  for _, name in ipairs(commands) do
    H.truthy(set[":" .. name], "help tag for :" .. name)
  end
end)

H.test("every highlight group and default keymap is documented", function()
  local set = tags()
  for group in pairs(require("asyncell.highlights").links) do
    H.truthy(set["hl-" .. group], "help tag for hl-" .. group)
  end
  local text = table.concat(vim.fn.readfile(doc), "\n")
  for name, spec in pairs(require("asyncell.config").default_keymaps) do
    local modes = type(spec[1]) == "table" and table.concat(spec[1]) or spec[1]
    local pattern = ("\n    %s%%s+%s%%s+.-%s\n"):format(modes, vim.pesc(spec[2]), name)
    H.truthy(text:find(pattern), ("keymap %s (%s %s) in the table"):format(name, spec[1], spec[2]))
  end
end)

H.test("keymaps are opt-in and buffer-local", function()
  local keymaps = require("asyncell.keymaps")
  local config = require("asyncell.config")
  config.set({})
  local buf = vim.api.nvim_create_buf(true, false)
  keymaps.attach(buf)
  H.eq(0, #vim.api.nvim_buf_get_keymap(buf, "n"), "no keymaps by default")
  config.set({ keymaps = { run_cell = "<S-CR>", run_all = false } })
  keymaps.attach(buf)
  local lhs = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(buf, "n")) do
    lhs[map.lhs] = map.rhs
  end
  H.eq("<Cmd>AsyncellRunCell<CR>", lhs["<S-CR>"], "overridden run_cell")
  H.truthy(lhs[vim.g.mapleader and vim.g.mapleader .. "aA" or "\\aA"] == nil, "run_all disabled")
  H.truthy(lhs["\\ai"], "default interrupt")
end)

H.test("paths with ~ are expanded for the server; lists replace defaults", function()
  local config = require("asyncell.config")
  config.set({ python = "~/venv/bin/python", cmd = { "~/bin/asyncell", "--log" }, root_markers = { "setup.py" } })
  H.eq(vim.fs.normalize("~") .. "/venv/bin/python", config.options.python, "python")
  H.eq({ vim.fs.normalize("~") .. "/bin/asyncell", "--log" }, config.options.cmd, "cmd")
  H.eq({ "setup.py" }, config.options.root_markers, "root markers")
  config.set({ python = { "ssh", "box", "python3" } })
  H.eq({ python = { "ssh", "box", "python3" } }, config.server_settings(), "server settings: only what was set")
  H.truthy(not pcall(config.set, { max_lines = "ten" }), "a wrong type is an error")
end)

H.run()
