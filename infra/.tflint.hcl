# tflint with its bundled Terraform ruleset, every rule on. The AWS ruleset plugin cannot be
# built here: its Go module is refused by the module proxy (see README.md, "Offline checks").
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
