-- Opt-in buffer-local keymaps (setup({ keymaps = true })), installed as soon as a buffer
-- of the configured filetypes opens (before the server attaches). Defaults are in config.default_keymaps (see :h asyncell-keymaps).
local config = require("asyncell.config")

local M = {}

M.actions = {
  run_cell = { "<cmd>AsyncellRunCell<cr>", "Run the cell under the cursor" },
  run_selection = { ":AsyncellRunSelection<cr>", "Run the selection" },
  run_above = { "<cmd>AsyncellRunAbove<cr>", "Run the cells above" },
  run_all = { "<cmd>AsyncellRunAll<cr>", "Run all cells" },
  run_below = { "<cmd>AsyncellRunBelow<cr>", "Run this cell and the cells below" },
  run_and_advance = { "<cmd>AsyncellRunAndAdvance<cr>", "Run the cell, go to the next" },
  restart_run_all = { "<cmd>AsyncellRestartRunAll<cr>", "Restart the host and run all cells" },
  next_cell = {
    function()
      require("asyncell").next_cell(vim.v.count1)
    end,
    "Next cell",
  },
  prev_cell = {
    function()
      require("asyncell").next_cell(-vim.v.count1)
    end,
    "Previous cell",
  },
  variables = { "<cmd>AsyncellVariables<cr>", "Variables of the live namespace" },
  open_image = { "<cmd>AsyncellOpenImage<cr>", "Open the cell's image" },
  interrupt = { "<cmd>AsyncellInterrupt<cr>", "Interrupt the running cell" },
  restart = { "<cmd>AsyncellRestart<cr>", "Restart the host" },
  tasks = { "<cmd>AsyncellTasks<cr>", "List background tasks" },
  clear = { "<cmd>AsyncellClear<cr>", "Clear outputs" },
  output = { "<cmd>AsyncellOutput<cr>", "Show the full output of this cell" },
}

function M.attach(buf)
  for name, spec in pairs(config.keymaps()) do
    local action = M.actions[name]
    if action then
      vim.keymap.set(spec[1], spec[2], action[1], { buffer = buf, silent = true, desc = "asyncell: " .. action[2] })
    end
  end
end

return M
