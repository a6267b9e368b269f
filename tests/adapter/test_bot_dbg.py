import pathlib
from tests.adapter.test_bot_startup import *
async def test_dbg(double, notes_dir, tmp_path):
    bot = await BotProcess(bot_env(double, notes_dir, tmp_path / "data"), tmp_path, "run").start()
    await double.wait_until_connected(timeout=60)
    it = await double.send_slash_command("ask", {"question": "restart policy"})
    await double.wait_for_callback(it, timeout=20)
    bot.process.send_signal(signal.SIGTERM)
    code, out, err = await bot.finish()
    pathlib.Path("/tmp/dbg.err").write_text(err)
