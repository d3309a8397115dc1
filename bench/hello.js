// The baseline: a bare Koa hello-world route, run as its own process like the server under test.
const Koa = require('koa');
const app = new Koa();
app.use((ctx) => {
  ctx.body = 'hello';
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'));
