"""Models: the linear heads (themes, child-authored flag, kind), the decision rule and evidence."""
