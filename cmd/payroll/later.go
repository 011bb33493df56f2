package main

import "github.com/spf13/cobra"

func addLaterCommands(root *cobra.Command, s *streams, g *globals) {}
