// The console's 404, in its look: an address under /admin that does not exist, or a setup link that has
// already been used or has expired. What happened and where to go next.
import { Button, Result } from "antd";
import Link from "next/link";

export default function ConsoleNotFound() {
  return (
    <Result
      status="404"
      title="页面不存在"
      subTitle="这个地址在管理后台中不存在，或链接已失效（例如已使用过的初始化链接）。请检查地址，或回到仪表盘。"
      data-testid="console-not-found"
      extra={
        <Link href="/admin">
          <Button type="primary">返回仪表盘</Button>
        </Link>
      }
    />
  );
}
