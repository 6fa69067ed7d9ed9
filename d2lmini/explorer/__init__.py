"""The batch-size explorer (chapters/explorer.md): `runs` trains the grid,
`chart` draws it with Altair, `vegalite` shows the chart on the site, in
JupyterLab and as an SVG, and `words` holds its labels in each language."""
