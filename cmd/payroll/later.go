package main

import "github.com/spf13/cobra"

func addLaterCommands(root *cobra.Command, s *streams, g *globals) {
	root.AddCommand(
		newUploadCmd(s, g),
		newStatusCmd(s, g),
		newHistoryCmd(s, g),
		newAuditCmd(s, g),
		newSandboxCmd(s, g),
		newWatchCmd(s, g),
		newServeCmd(s, g),
	)
}
