# An empty script: the start-up cost of the interpreter.
