"""The engine: exact numbers, the model as named data, attention, the interpreter and model JSON. It knows no paper."""
