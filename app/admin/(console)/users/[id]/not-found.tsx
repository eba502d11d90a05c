import Link from "next/link";

export default function UserNotFound() {
  return (
    <div className="rounded-xl bg-white p-5 shadow-sm" data-testid="user-not-found">
      <h1 className="text-lg font-semibold">找不到这个用户</h1>
      <p className="mt-2 text-sm text-neutral-600">该用户可能已被合并或删除，请回到列表重新查找。</p>
      <Link href="/admin/users" className="mt-4 inline-block text-sm text-wechat">
        返回用户列表
      </Link>
    </div>
  );
}
