-- wrk script: every request is a small chat completion for the lane in $SWITCHYARD_MODEL.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. (os.getenv("SWITCHYARD_MODEL") or "main") .. '","messages":[{"role":"user","content":"Say hello"}]}'
