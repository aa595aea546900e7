"""Print the JSON Schema of results.json: `python -m redline.metrics.schema`."""

import orjson

from redline.metrics.results import Results

if __name__ == "__main__":
    print(orjson.dumps(Results.model_json_schema(), option=orjson.OPT_INDENT_2).decode())
