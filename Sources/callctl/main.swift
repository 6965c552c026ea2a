import CallctlCommands

await CallctlCommand.execute()
