"""Board reports: chart images (images), the board pack (pack -> pptx_writer, pdf_writer) and
table exports (exports), loaded for a scope and date by data.load_inputs."""
