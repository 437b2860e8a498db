"""Ablation studies: a model's named components, ablations as model transformations, runs that
compare ablated models with the intact one, the papers' claims as data, and reports."""
