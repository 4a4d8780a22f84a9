"""识别、退出与动态调整 (issue 13; REFERENCE §3–§5): identification and exit cases on the workflow engine,
public notices and objections, the exit check, the yearly dynamic adjustment and its reconciliation."""
