-- asyncell user commands. They exist as soon as the plugin is on 'runtimepath'; the server
-- starts once require("asyncell").setup() runs (see :h asyncell).
if vim.g.loaded_asyncell then
  return
end
vim.g.loaded_asyncell = true

if vim.fn.has("nvim-0.10") == 0 then
  vim.notify("asyncell needs Neovim 0.10 or later", vim.log.levels.ERROR)
  return
end

local function command(name, fn, opts)
  opts = opts or {}
  vim.api.nvim_create_user_command(name, fn, opts)
end

local function asyncell()
  return require("asyncell")
end

command("AsyncellRunCell", function()
  asyncell().run_cell()
end, { desc = "Run the # %% cell under the cursor" })

command("AsyncellRunAbove", function()
  asyncell().run_above()
end, { desc = "Run the cells above the cursor's cell" })

command("AsyncellRunAll", function()
  asyncell().run_all()
end, { desc = "Run every code cell" })

command("AsyncellRunBelow", function()
  asyncell().run_below()
end, { desc = "Run the cursor's cell and every code cell below it" })

command("AsyncellRunAndAdvance", function()
  asyncell().run_and_advance()
end, { desc = "Run the cell under the cursor and move to the next cell" })

command("AsyncellRestartRunAll", function()
  asyncell().restart_run_all()
end, { desc = "Restart the host, then run every code cell" })

command("AsyncellNextCell", function(args)
  asyncell().next_cell(math.max(1, args.count))
end, { count = 1, desc = "Go to the next # %% cell ([count] cells down)" })

command("AsyncellPrevCell", function(args)
  asyncell().next_cell(-math.max(1, args.count))
end, { count = 1, desc = "Go to the previous # %% cell ([count] cells up)" })

command("AsyncellVariables", function()
  asyncell().variables()
end, { desc = "The live namespace's variables in a float (<CR> inspects)" })

command("AsyncellOpenImage", function(args)
  asyncell().open_image(tonumber(args.args))
end, { nargs = "?", desc = "Open an image of the cell's output in the system viewer" })

command("AsyncellSaveImage", function(args)
  local path, n = args.fargs[1], tonumber(args.fargs[2])
  asyncell().save_image(path, n)
end, { nargs = "+", complete = "file", desc = "Save an image of the cell's output: {path} [n]" })

command("AsyncellRunSelection", function(args)
  asyncell().run_selection(args.line1, args.line2)
end, { range = true, desc = "Run the selected lines" })

command("AsyncellInterrupt", function()
  asyncell().interrupt()
end, { desc = "Interrupt the running cell" })

command("AsyncellRestart", function()
  asyncell().restart()
end, { desc = "Restart the host (clears outputs)" })

command("AsyncellTrust", function(args)
  require("asyncell.trust").command(args.args)
end, {
  nargs = "?",
  desc = "Show or set (yes|no) whether this workspace's .venv may run cells",
  complete = function()
    return { "yes", "no" }
  end,
})

command("AsyncellTasks", function()
  asyncell().tasks()
end, { desc = "List background tasks" })

command("AsyncellCancelTask", function(args)
  asyncell().cancel_task(args.args)
end, {
  nargs = 1,
  desc = "Cancel a background task by id",
  complete = function()
    local s = require("asyncell.status").get(vim.api.nvim_get_current_buf())
    local ids = {}
    for _, task in ipairs(s and s.tasks ~= vim.NIL and s.tasks or {}) do
      if task.state == "running" then
        ids[#ids + 1] = task.id
      end
    end
    return ids
  end,
})

command("AsyncellClear", function(args)
  asyncell().clear(args.bang)
end, { bang = true, desc = "Remove outputs (! for every buffer)" })

command("AsyncellOutput", function(args)
  asyncell().output({ split = args.bang })
end, { bang = true, desc = "Full output of the cell under the cursor (! in a split)" })
