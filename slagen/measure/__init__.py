"""`slagen measure`: help-desk ticket exports measured by the contract's own rules."""
